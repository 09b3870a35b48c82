namespace Granary.Runtime.Messaging;

/// <summary>
/// A grain id as it arrives on the wire: the UTF-8 bytes of its type and key, not decoded, so an
/// incoming call can find its activation without allocating the id's strings
/// (the catalog's <c>GrainIdComparer</c> compares it with <see cref="GrainId"/>s).
/// </summary>
/// <param name="type">UTF-8 bytes of <see cref="GrainId.Type"/>.</param>
/// <param name="key">UTF-8 bytes of <see cref="GrainId.Key"/>.</param>
internal readonly ref struct Utf8GrainId(ReadOnlySpan<byte> type, ReadOnlySpan<byte> key)
{
    /// <summary>UTF-8 bytes of the grain type.</summary>
    public ReadOnlySpan<byte> Type { get; } = type;

    /// <summary>UTF-8 bytes of the grain key.</summary>
    public ReadOnlySpan<byte> Key { get; } = key;
}
