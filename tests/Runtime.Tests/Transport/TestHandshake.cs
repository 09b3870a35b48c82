using System.Net.Sockets;
using System.Security.Cryptography;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Tests.Transport;

/// <summary>Either side of the grain port's handshake over a plain socket, for tests that fake the other side.</summary>
internal static class TestHandshake
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Client side: preamble, read the challenge, answer with <paramref name="secret"/>, read the verdict. Returns the verdict's status.</summary>
    public static async Task<HandshakeStatus> AsClientAsync(Socket socket, string? secret = null)
    {
        var key = ClusterHandshake.DeriveKey(secret);
        await socket.SendAsync(FrameCodec.Preamble.ToArray());
        var challenge = await ReceiveExactlyAsync(socket, ClusterHandshake.ChallengeSize);
        if (challenge[0] != (byte)HandshakeStatus.Ok)
            return (HandshakeStatus)challenge[0];
        var siloNonce = challenge[1..];
        var response = new byte[ClusterHandshake.ResponseSize];
        RandomNumberGenerator.Fill(response.AsSpan(0, ClusterHandshake.NonceSize));
        ClusterHandshake.ComputeClientProof(key, siloNonce, response.AsSpan(0, ClusterHandshake.NonceSize), response.AsSpan(ClusterHandshake.NonceSize));
        await socket.SendAsync(response);
        var verdict = await ReceiveExactlyAsync(socket, ClusterHandshake.VerdictSize);
        if (verdict[0] == (byte)HandshakeStatus.Ok)
            Assert.True(ClusterHandshake.VerifySiloProof(key, siloNonce, response.AsSpan(0, ClusterHandshake.NonceSize), verdict.AsSpan(1)), "the silo proved the secret");
        return (HandshakeStatus)verdict[0];
    }

    /// <summary>
    /// Silo side, after the preamble was read: challenge, read the response, answer with the verdict for
    /// <paramref name="secret"/> (a wrong <paramref name="proveWith"/> makes the silo's proof wrong). True when the client's proof matched.
    /// </summary>
    public static async Task<bool> AsSiloAsync(Socket socket, string? secret = null, string? proveWith = null)
    {
        var key = ClusterHandshake.DeriveKey(secret);
        var siloNonce = RandomNumberGenerator.GetBytes(ClusterHandshake.NonceSize);
        await socket.SendAsync((byte[])[(byte)HandshakeStatus.Ok, .. siloNonce]);
        var response = await ReceiveExactlyAsync(socket, ClusterHandshake.ResponseSize);
        var clientNonce = response[..ClusterHandshake.NonceSize];
        if (!ClusterHandshake.VerifyClientProof(key, siloNonce, clientNonce, response.AsSpan(ClusterHandshake.NonceSize)))
        {
            var refused = new byte[ClusterHandshake.VerdictSize];
            refused[0] = (byte)HandshakeStatus.BadSecret;
            await socket.SendAsync(refused);
            return false;
        }
        var proof = new byte[ClusterHandshake.ProofSize];
        ClusterHandshake.ComputeSiloProof(ClusterHandshake.DeriveKey(proveWith ?? secret), siloNonce, clientNonce, proof);
        await socket.SendAsync((byte[])[(byte)HandshakeStatus.Ok, .. proof]);
        return true;
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
                throw new IOException($"closed after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }
}
