using System.Text;

namespace Granary.Grains.LoadBalancing;

/// <summary>
/// The stable 64-bit hash of <see cref="ConsistentHashPolicy"/>: FNV-1a 64 over the UTF-8 bytes of a
/// string (Fowler, Noll and Vo), finished with SplitMix64's mixer (Steele, Lea and Flood, "Fast
/// splittable pseudorandom number generators", OOPSLA 2014). The same on every gateway and every
/// run, so all gateways send a key to the same destination.
/// </summary>
internal static class RendezvousHash
{
    /// <summary>FNV-1a 64's offset basis.</summary>
    public const ulong Fnv1aOffset = 0xcbf29ce484222325UL;

    /// <summary>Folds the UTF-8 bytes of <paramref name="text"/> into <paramref name="hash"/> with FNV-1a 64.</summary>
    public static ulong Fnv1a(ulong hash, string text)
    {
        // ASCII (the usual case): each char is its UTF-8 byte, no transcoding needed.
        if (Ascii.IsValid(text))
        {
            foreach (var c in text)
            {
                hash ^= c;
                hash *= 0x100000001b3UL;
            }
            return hash;
        }
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }
        return hash;
    }

    /// <summary>SplitMix64's finaliser: spreads every input bit over the whole word.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
