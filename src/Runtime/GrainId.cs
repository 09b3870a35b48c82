namespace Granary.Runtime;

/// <summary>
/// The identity of a grain: a grain type name (for example <c>"client"</c> or <c>"backend"</c>)
/// and a string key. Two references with equal ids address the same virtual actor, wherever
/// the caller runs (Orleans: <c>GrainId</c>).
/// </summary>
/// <param name="Type">Grain type name: 1–64 ASCII characters, registered by a <see cref="Invocation.GrainInterfaceDescriptor"/>.</param>
/// <param name="Key">Grain key: up to <see cref="MaxKeyLength"/> UTF-16 characters.</param>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>The longest key accepted, in UTF-16 characters (1024).</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Renders the id as <c>type/key</c>, the form used in logs and the dashboard.</summary>
    public override string ToString() => $"{Type}/{Key}";
}
