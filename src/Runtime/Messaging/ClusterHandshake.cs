using System.Security.Cryptography;
using System.Text;

namespace Granary.Runtime.Messaging;

/// <summary>
/// Cluster authentication on the grain port: a mutual HMAC-SHA256 challenge–response that
/// completes before any frame is read. After the client's <see cref="FrameCodec.Preamble"/>:
/// <list type="number">
/// <item>silo → client, challenge (<see cref="ChallengeSize"/> = 33 bytes): <see cref="HandshakeStatus"/> byte | silo nonce (32 random bytes);</item>
/// <item>client → silo, response (<see cref="ResponseSize"/> = 64 bytes): client nonce (32 random bytes) |
/// client proof = HMAC-SHA256(key, <c>"granary-v1|client|"</c> ‖ silo nonce ‖ client nonce);</item>
/// <item>silo → client, verdict (<see cref="VerdictSize"/> = 33 bytes): status | silo proof =
/// HMAC-SHA256(key, <c>"granary-v1|server|"</c> ‖ silo nonce ‖ client nonce) (zeros unless <see cref="HandshakeStatus.Ok"/>).</item>
/// </list>
/// The key is the UTF-8 encoding of the cluster secret (<c>Granary:ClusterSecret</c>), empty when none is
/// configured. Both nonces are fresh per connection, so a recorded handshake cannot be replayed; the two
/// labels differ, so neither side can be used as an oracle for the other's proof. Proofs are compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>. Every message has a fixed size: a peer cannot make
/// either side buffer more than 64 bytes before it is authenticated. (HMAC: RFC 2104; SHA-256: FIPS 180-4.)
/// </summary>
public static class ClusterHandshake
{
    /// <summary>Bytes of each nonce.</summary>
    public const int NonceSize = 32;

    /// <summary>Bytes of each proof (an HMAC-SHA256 output).</summary>
    public const int ProofSize = 32;

    /// <summary>Bytes of the silo's challenge: status + silo nonce.</summary>
    public const int ChallengeSize = 1 + NonceSize;

    /// <summary>Bytes of the client's response: client nonce + client proof.</summary>
    public const int ResponseSize = NonceSize + ProofSize;

    /// <summary>Bytes of the silo's verdict: status + silo proof.</summary>
    public const int VerdictSize = 1 + ProofSize;

    /// <summary>Default deadline for the whole handshake on the silo, ms: 5000.</summary>
    public const int DefaultTimeoutMs = 5_000;

    /// <summary>The configuration key of the cluster secret, read by silos and grain clients alike.</summary>
    public const string SecretConfigurationKey = "Granary:ClusterSecret";

    private static ReadOnlySpan<byte> ClientLabel => "granary-v1|client|"u8;

    private static ReadOnlySpan<byte> ServerLabel => "granary-v1|server|"u8;

    /// <summary>The HMAC key for <paramref name="secret"/>: its UTF-8 bytes; empty for null or empty (no secret configured).</summary>
    public static byte[] DeriveKey(string? secret) => string.IsNullOrEmpty(secret) ? [] : Encoding.UTF8.GetBytes(secret);

    /// <summary>Writes the client's proof (<see cref="ProofSize"/> bytes) into <paramref name="proof"/>.</summary>
    /// <exception cref="ArgumentException">A nonce is not <see cref="NonceSize"/> bytes, or <paramref name="proof"/> is too short.</exception>
    public static void ComputeClientProof(ReadOnlySpan<byte> key, ReadOnlySpan<byte> siloNonce, ReadOnlySpan<byte> clientNonce, Span<byte> proof) =>
        Compute(key, ClientLabel, siloNonce, clientNonce, proof);

    /// <summary>Writes the silo's proof (<see cref="ProofSize"/> bytes) into <paramref name="proof"/>.</summary>
    /// <exception cref="ArgumentException">A nonce is not <see cref="NonceSize"/> bytes, or <paramref name="proof"/> is too short.</exception>
    public static void ComputeSiloProof(ReadOnlySpan<byte> key, ReadOnlySpan<byte> siloNonce, ReadOnlySpan<byte> clientNonce, Span<byte> proof) =>
        Compute(key, ServerLabel, siloNonce, clientNonce, proof);

    /// <summary>True when <paramref name="proof"/> is the client's proof for these nonces; constant time.</summary>
    public static bool VerifyClientProof(ReadOnlySpan<byte> key, ReadOnlySpan<byte> siloNonce, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofSize];
        ComputeClientProof(key, siloNonce, clientNonce, expected);
        return CryptographicOperations.FixedTimeEquals(expected, proof);
    }

    /// <summary>True when <paramref name="proof"/> is the silo's proof for these nonces; constant time.</summary>
    public static bool VerifySiloProof(ReadOnlySpan<byte> key, ReadOnlySpan<byte> siloNonce, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofSize];
        ComputeSiloProof(key, siloNonce, clientNonce, expected);
        return CryptographicOperations.FixedTimeEquals(expected, proof);
    }

    private static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, ReadOnlySpan<byte> siloNonce, ReadOnlySpan<byte> clientNonce, Span<byte> proof)
    {
        if (siloNonce.Length != NonceSize || clientNonce.Length != NonceSize)
            throw new ArgumentException($"Nonces must be {NonceSize} bytes.");
        if (proof.Length < ProofSize)
            throw new ArgumentException($"The proof needs {ProofSize} bytes.", nameof(proof));
        Span<byte> message = stackalloc byte[32 + 2 * NonceSize];
        label.CopyTo(message);
        siloNonce.CopyTo(message[label.Length..]);
        clientNonce.CopyTo(message[(label.Length + NonceSize)..]);
        HMACSHA256.HashData(key, message[..(label.Length + 2 * NonceSize)], proof);
    }
}
