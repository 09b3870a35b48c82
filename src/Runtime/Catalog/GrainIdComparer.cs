using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Catalog;

/// <summary>
/// Ordinal equality of <see cref="GrainId"/>s that can also look one up by its UTF-8 bytes
/// (<see cref="Utf8GrainId"/>, through <c>ConcurrentDictionary.GetAlternateLookup</c>), so the
/// catalog finds the activation of an incoming call without decoding the id's strings. The hash is
/// <see cref="HashCode"/> (randomly seeded per process, so keys chosen by callers cannot force
/// collisions) over the UTF-8 bytes of type and key, each preceded by its byte length; a string
/// that is not valid UTF-16 hashes its replacement-character encoding but never equals any bytes.
/// </summary>
internal sealed class GrainIdComparer : IEqualityComparer<GrainId>, IAlternateEqualityComparer<Utf8GrainId, GrainId>
{
    /// <summary>The one instance.</summary>
    public static readonly GrainIdComparer Instance = new();

    private const int StackBytes = 1024;

    private GrainIdComparer()
    {
    }

    public bool Equals(GrainId x, GrainId y) =>
        string.Equals(x.Type, y.Type, StringComparison.Ordinal) && string.Equals(x.Key, y.Key, StringComparison.Ordinal);

    public int GetHashCode(GrainId obj)
    {
        var hash = new HashCode();
        AddUtf8(ref hash, obj.Type ?? "");
        AddUtf8(ref hash, obj.Key ?? "");
        return hash.ToHashCode();
    }

    public bool Equals(Utf8GrainId alternate, GrainId other) =>
        Utf8Equals(alternate.Type, other.Type ?? "") && Utf8Equals(alternate.Key, other.Key ?? "");

    public int GetHashCode(Utf8GrainId alternate)
    {
        var hash = new HashCode();
        hash.Add(alternate.Type.Length);
        hash.AddBytes(alternate.Type);
        hash.Add(alternate.Key.Length);
        hash.AddBytes(alternate.Key);
        return hash.ToHashCode();
    }

    /// <summary>Decodes the id (strict UTF-8).</summary>
    /// <exception cref="GrainSerializationException">The bytes are not valid UTF-8.</exception>
    public GrainId Create(Utf8GrainId alternate) => new(Decode(alternate.Type), Decode(alternate.Key));

    private static void AddUtf8(ref HashCode hash, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var written = Encoding.UTF8.GetBytes(text, buffer);
        hash.Add(written);
        hash.AddBytes(buffer[..written]);
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
    {
        // ASCII (the usual case): byte i is char i. Ids are short, so a plain loop beats a vectorized
        // compare's setup; the first non-ASCII byte sends the rest to the transcoding path.
        if (utf8.Length == text.Length)
        {
            var i = 0;
            for (; i < utf8.Length; i++)
            {
                var b = utf8[i];
                if (b >= 0x80)
                    break;
                if (b != text[i])
                    return false; // An ASCII byte decodes to that char only.
            }
            if (i == utf8.Length)
                return true;
        }
        else if (Ascii.IsValid(utf8))
        {
            return false; // ASCII bytes decode to as many chars.
        }
        if (utf8.Length < text.Length || utf8.Length > text.Length * 3)
            return false;
        var max = text.Length * 3;
        byte[]? rented = null;
        Span<byte> buffer = max <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            // Strict: a string that is not valid UTF-16 equals no bytes.
            return Utf8.FromUtf16(text, buffer, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
                && buffer[..written].SequenceEqual(utf8);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new GrainSerializationException("String is not valid UTF-8.", e);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
