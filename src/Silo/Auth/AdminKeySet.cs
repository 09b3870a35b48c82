using System.Security.Cryptography;
using System.Text;

namespace Granary.Silo.Auth;

/// <summary>
/// The configured admin keys, held as SHA-256 hashes. <see cref="Matches"/> hashes the presented key and
/// compares it with every configured hash by <see cref="CryptographicOperations.FixedTimeEquals"/>,
/// without stopping at the first match: the time taken depends on neither the content nor the length
/// of the presented or the configured keys (the hashes are all 32 bytes), only on the number of keys.
/// <see cref="MacMatches"/> checks an HMAC made by <see cref="Mac"/> the same way (the admin session cookie).
/// </summary>
internal sealed class AdminKeySet
{
    private readonly byte[][] _hashes;

    /// <param name="keys">The keys; empty ones are skipped.</param>
    public AdminKeySet(IEnumerable<string> keys) =>
        _hashes = keys.Where(static k => !string.IsNullOrEmpty(k)).Select(static k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    /// <summary>Number of keys configured; 0 = authentication off.</summary>
    public int Count => _hashes.Length;

    /// <summary>True when no key is configured.</summary>
    public bool IsEmpty => _hashes.Length == 0;

    /// <summary>Whether <paramref name="presented"/> is one of the keys (constant time, see the type's remarks).</summary>
    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        var match = false;
        foreach (var expected in _hashes)
            match |= CryptographicOperations.FixedTimeEquals(hash, expected);
        return match;
    }

    /// <summary>HMAC-SHA256 of <paramref name="message"/> keyed by the SHA-256 hash of <paramref name="key"/> (32 bytes).</summary>
    public static byte[] Mac(string key, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(key)), message);
    }

    /// <summary>Whether <paramref name="mac"/> is <see cref="Mac"/> of <paramref name="message"/> under one of the keys (constant time per key).</summary>
    public bool MacMatches(ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var match = false;
        foreach (var hash in _hashes)
        {
            HMACSHA256.HashData(hash, message, expected);
            match |= CryptographicOperations.FixedTimeEquals(expected, mac);
        }
        return match;
    }
}
