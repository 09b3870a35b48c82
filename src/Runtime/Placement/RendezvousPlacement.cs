using System.Text;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Placement;

/// <summary>
/// Rendezvous (highest-random-weight) hashing, after Thaler and Ravishankar, "Using Name-Based
/// Mappings to Increase Hit Rates" (IEEE/ACM ToN, 1998): the owner of a grain is the silo with
/// the highest hash of (grain id, silo). The owner is a pure function of the grain id and the
/// view, so no directory is needed, every caller agrees given the same view, and a silo leaving
/// moves only the grains it owned. Hashes are FNV-1a 64 over UTF-8, mixed with SplitMix64's
/// finalizer: stable across processes and machines (unlike <see cref="string.GetHashCode()"/>).
/// </summary>
public static class RendezvousPlacement
{
    /// <summary>Returns the owner of <paramref name="grainId"/> among <paramref name="silos"/>, or null when there are none.</summary>
    public static SiloAddress? SelectOwner(GrainId grainId, IReadOnlyList<SiloAddress> silos)
    {
        if (silos.Count == 0)
            return null;
        var grainHash = HashGrain(grainId);
        SiloAddress? best = null;
        ulong bestScore = 0;
        for (var i = 0; i < silos.Count; i++)
        {
            var score = Mix(grainHash ^ HashSilo(silos[i]));
            // Ties (astronomically rare) break on the endpoint so every caller agrees.
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(silos[i].Endpoint, best.Endpoint) < 0))
            {
                best = silos[i];
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>
    /// The same choice as <see cref="SelectOwner"/> from precomputed hashes, for callers that route
    /// many calls over one view: the index of the owner in <paramref name="silos"/>, or -1 when empty.
    /// </summary>
    /// <param name="grainHash"><see cref="HashGrain"/> of the grain id.</param>
    /// <param name="siloHashes"><see cref="HashSilo"/> of each silo, in the order of <paramref name="silos"/>.</param>
    /// <param name="silos">The silos (read only to break ties).</param>
    /// <exception cref="ArgumentException">The two spans differ in length.</exception>
    public static int SelectOwnerIndex(ulong grainHash, ReadOnlySpan<ulong> siloHashes, ReadOnlySpan<SiloAddress> silos)
    {
        if (siloHashes.Length != silos.Length)
            throw new ArgumentException("One hash per silo is needed.", nameof(siloHashes));
        var best = -1;
        ulong bestScore = 0;
        for (var i = 0; i < silos.Length; i++)
        {
            var score = Mix(grainHash ^ siloHashes[i]);
            if (best < 0 || score > bestScore || (score == bestScore && string.CompareOrdinal(silos[i].Endpoint, silos[best].Endpoint) < 0))
            {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>The stable 64-bit hash of a grain id used by placement: FNV-1a over the UTF-8 of <c>type/key</c>.</summary>
    public static ulong HashGrain(GrainId grainId) => Fnv1a(Fnv1a(Fnv1a(Fnv1aOffset, grainId.Type), "/"), grainId.Key);

    /// <summary>The stable 64-bit hash of a silo incarnation used by placement (endpoint and generation).</summary>
    public static ulong HashSilo(SiloAddress silo) => Mix(Fnv1a(Fnv1aOffset, silo.Endpoint) ^ (ulong)silo.Generation);

    /// <summary>FNV-1a 64 of a string's UTF-8 bytes, continuing from <paramref name="hash"/>.</summary>
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

    /// <summary>FNV-1a 64 offset basis.</summary>
    public const ulong Fnv1aOffset = 0xcbf29ce484222325UL;

    /// <summary>SplitMix64's finalizer (Steele, Lea, Flood, OOPSLA 2014): a bijective avalanche mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
