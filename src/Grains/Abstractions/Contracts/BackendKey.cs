namespace Granary.Grains.Contracts;

/// <summary>Builds and splits backend grain keys of the form <c>{clusterId}/{destinationId}</c>.</summary>
public static class BackendKey
{
    /// <summary>The key of the backend grain for a YARP cluster's destination.</summary>
    public static string For(string clusterId, string destinationId) => $"{clusterId}/{destinationId}";

    /// <summary>Splits a key at its first '/'; false when there is none.</summary>
    public static bool TrySplit(string key, out string clusterId, out string destinationId)
    {
        var slash = key.IndexOf('/');
        clusterId = slash > 0 ? key[..slash] : "";
        destinationId = slash > 0 ? key[(slash + 1)..] : "";
        return slash > 0 && slash < key.Length - 1;
    }
}
