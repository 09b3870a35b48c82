using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Messaging;
using Granary.Runtime.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Transport;

/// <summary>Cluster authentication and the limits of the grain port, over real sockets on 127.0.0.1.</summary>
public sealed class ClusterSecretTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>A grain client with its own meter scope, so its metrics can be read without other tests' noise.</summary>
    private sealed class TestClient : IAsyncDisposable
    {
        private readonly ServiceProvider _meters;

        public TestClient(string endpoint, string? secret, Action<ClientOptions>? configure = null)
        {
            _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var factory = _meters.GetRequiredService<IMeterFactory>();
            Probe = new MetricProbe(factory, "granary.client.");
            var options = new ClientOptions { Silos = [endpoint], CallTimeoutMs = 5000, ReconnectMinDelayMs = 20, ReconnectMaxDelayMs = 200, ClusterSecret = secret };
            configure?.Invoke(options);
            Client = new ClusterClient(new GrainInterfaceRegistry([TestGrainReference.Descriptor]), new StaticMembershipViewProvider(options.Silos), options, meterFactory: factory);
        }

        public ClusterClient Client { get; }

        public MetricProbe Probe { get; }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            Probe.Dispose();
            await _meters.DisposeAsync();
        }
    }

    private static MetricProbe SiloProbe(GrainPortHost host) => new(host.Services.GetRequiredService<IMeterFactory>(), "granary.silo.");

    [Fact]
    public async Task StartAsync_RightSecret_ConnectsAndCallsWork()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "correct horse battery staple");
        await using var client = new TestClient(host.Endpoint, "correct horse battery staple");

        await client.Client.StartAsync(CancellationToken.None);
        var reply = await client.Client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("hi", 2));

        Assert.Equal(new EchoReply("hi", 4), reply);
        Assert.True(client.Client.IsConnected);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains("No cluster secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_WrongClientSecret_RefusedBeforeAnyCallWithClearErrorAndCounted()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "the-silo-secret");
        using var siloMetrics = SiloProbe(host);
        await using var client = new TestClient(host.Endpoint, "a-wrong-secret");

        var e = await Assert.ThrowsAsync<ClusterAuthenticationException>(() => client.Client.StartAsync(CancellationToken.None));
        var call = await Assert.ThrowsAsync<SiloUnavailableException>(async () => await client.Client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("x", 1)));

        Assert.StartsWith($"grain port {host.Endpoint} refused the cluster secret", e.Message, StringComparison.Ordinal);
        Assert.Equal("bad_secret", e.Reason);
        Assert.Contains("refused the cluster secret", call.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Calls);
        Assert.False(client.Client.IsConnected);
        Assert.DoesNotContain("a-wrong-secret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the-silo-secret", e.Message, StringComparison.Ordinal);
        await GrainTransportTests.WaitUntilAsync(() => siloMetrics.Sum("granary.silo.handshake_failures", "bad_secret") >= 1, "the silo counted the bad secret");
        Assert.True(client.Probe.Sum("granary.client.handshake_failures", "bad_secret") >= 1);
        var warning = Assert.Single(host.Logs.Entries, l => l.Message.Contains("(bad_secret)", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1", warning.Message, StringComparison.Ordinal);
        Assert.All(host.Logs.Entries, l => Assert.False(l.Message.Contains("a-wrong-secret", StringComparison.Ordinal) || l.Message.Contains("the-silo-secret", StringComparison.Ordinal), "no secret in the silo's log"));
    }

    [Fact]
    public async Task StartAsync_ClientWithoutSecretAgainstSiloWithOne_FailsSayingTheClientHasNone()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configurationSecret: "configured-through-Granary-ClusterSecret");
        await using var client = new TestClient(host.Endpoint, secret: null);

        var e = await Assert.ThrowsAsync<ClusterAuthenticationException>(() => client.Client.StartAsync(CancellationToken.None));

        Assert.Contains("refused the cluster secret", e.Message, StringComparison.Ordinal);
        Assert.Contains("this client has none", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task StartAsync_ClientWithSecretAgainstSiloWithout_Fails()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = new TestClient(host.Endpoint, "only-the-client-has-one");

        var e = await Assert.ThrowsAsync<ClusterAuthenticationException>(() => client.Client.StartAsync(CancellationToken.None));

        Assert.Contains("refused the cluster secret", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task StartAsync_NoSecretOnEitherSide_WorksAndBothWarn()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        var logs = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = new ClientOptions { Silos = [host.Endpoint] };
        await using var client = new ClusterClient(new GrainInterfaceRegistry([TestGrainReference.Descriptor]), new StaticMembershipViewProvider(options.Silos), options, loggerFactory: loggers);

        await client.StartAsync(CancellationToken.None);
        var reply = await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("open", 1));

        Assert.Equal(new EchoReply("open", 2), reply);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("is unauthenticated", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("No cluster secret configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_SiloThatCannotProveTheSecret_ClientRefusesAndSendsNoFrame()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var endpoint = $"127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}";
        await using var client = new TestClient(endpoint, "real-secret", o => o.ReconnectMinDelayMs = o.ReconnectMaxDelayMs = 5000);

        var start = client.Client.StartAsync(CancellationToken.None);
        using var impostor = await listener.AcceptAsync(new CancellationTokenSource(Deadline).Token);
        await TestHandshake.ReceiveExactlyAsync(impostor, FrameCodec.Preamble.Length);
        // It accepts whatever the client proves, but proves back with a secret of its own.
        Assert.True(await TestHandshake.AsSiloAsync(impostor, "real-secret", proveWith: "impostor-guess"));
        var e = await Assert.ThrowsAsync<ClusterAuthenticationException>(() => start);
        var call = client.Client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("secret data", 1)).AsTask();
        var afterHandshake = await ReadUntilClosedAsync(impostor);

        Assert.Equal("silo_unproven", e.Reason);
        Assert.Contains($"grain port {endpoint} did not prove the cluster secret", e.Message, StringComparison.Ordinal);
        Assert.Empty(afterHandshake);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => call);
        Assert.True(client.Probe.Sum("granary.client.handshake_failures", "silo_unproven") >= 1);
    }

    [Fact]
    public async Task Host_AddGranaryClientWithWrongSecretInConfiguration_StartFailsNamingTheGrainPort()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "cluster-secret-1");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration[ClusterHandshake.SecretConfigurationKey] = "cluster-secret-2";
        builder.Services.AddGranaryClient(o => o.Silos = [host.Endpoint]);
        using var app = builder.Build();

        var e = await Assert.ThrowsAsync<ClusterAuthenticationException>(() => app.StartAsync());

        Assert.StartsWith($"grain port {host.Endpoint} refused the cluster secret", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Host_AddGranaryClientWithRightSecretInConfiguration_StartsAndCalls()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configurationSecret: "shared-secret");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration[ClusterHandshake.SecretConfigurationKey] = "shared-secret";
        builder.Services.AddGranaryClient(o => o.Silos = [host.Endpoint]);
        builder.Services.AddGrainInterface(TestGrainReference.Descriptor);
        using var app = builder.Build();

        await app.StartAsync();
        try
        {
            var reply = await app.Services.GetRequiredService<IGrainFactory>().GetGrain<ITestGrain>("x").EchoAsync(new EchoRequest("y", 5));

            Assert.Equal(new EchoReply("y", 10), reply);
            Assert.Equal("shared-secret", app.Services.GetRequiredService<IOptions<ClientOptions>>().Value.ClusterSecret);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "bad_preamble")]
    [InlineData("GRANARY\u0001", "bad_preamble")]
    public async Task Silo_GarbageInsteadOfHandshake_ClosedAndCounted(string garbage, string reason)
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "s");
        using var metrics = SiloProbe(host);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);

        await raw.SendAsync(System.Text.Encoding.ASCII.GetBytes(garbage));

        Assert.True(await raw.WaitClosedAsync(Deadline));
        await GrainTransportTests.WaitUntilAsync(() => metrics.Sum("granary.silo.handshake_failures", reason) == 1, $"one {reason} counted");
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Silo_ShortResponseThenClose_ClosedAndCountedIncomplete()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "s");
        using var metrics = SiloProbe(host);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Port));

        await socket.SendAsync(FrameCodec.Preamble.ToArray());
        await TestHandshake.ReceiveExactlyAsync(socket, ClusterHandshake.ChallengeSize);
        await socket.SendAsync(new byte[10]);
        socket.Shutdown(SocketShutdown.Send);

        await GrainTransportTests.WaitUntilAsync(() => metrics.Sum("granary.silo.handshake_failures", "incomplete") == 1, "one incomplete handshake counted");
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Silo_SlowHandshake_ClosedAtTheDeadlineAndCounted()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.HandshakeTimeoutMs = 300);
        using var metrics = SiloProbe(host);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);
        var started = Stopwatch.GetTimestamp();

        await raw.SendAsync(FrameCodec.Preamble[..5].ToArray());
        var closed = await raw.WaitClosedAsync(Deadline);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.True(closed, "the slow connection was closed");
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        await GrainTransportTests.WaitUntilAsync(() => metrics.Sum("granary.silo.handshake_failures", "timeout") == 1, "one timeout counted");
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("(timeout)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Silo_FramesBeforeTheHandshake_NeverReachAGrain()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.ClusterSecret = "s");
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);

        // A v2 preamble, then a valid request frame where the handshake response belongs.
        await raw.SendAsync(FrameCodec.Preamble.ToArray());
        await raw.SendFrameAsync(FrameKind.Request, 1, 1, new byte[80]);
        var challenge = await raw.ReceiveExactlyAsync(ClusterHandshake.ChallengeSize);
        var verdict = await raw.ReceiveExactlyAsync(ClusterHandshake.VerdictSize);

        Assert.Equal((byte)HandshakeStatus.Ok, challenge[0]);
        Assert.Equal((byte)HandshakeStatus.BadSecret, verdict[0]);
        Assert.True(await raw.WaitClosedAsync(Deadline));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Silo_MoreConnectionsThanMaxConnections_RefusesTheExtraOneAndCountsIt()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.MaxConnections = 1);
        using var metrics = SiloProbe(host);
        using var first = await RawGrainSocket.ConnectAsync(host.Port);
        await first.SendPreambleAsync();

        using var second = await RawGrainSocket.ConnectAsync(host.Port);
        var refused = await second.HandshakeAsync();
        var closed = await second.WaitClosedAsync(Deadline);
        first.Dispose();
        await GrainTransportTests.WaitUntilAsync(() => metrics.Sum("granary.silo.grain_port_limit_hits", "max_connections") == 1, "the refusal counted");
        var status = HandshakeStatus.TooManyConnections;
        var deadline = Stopwatch.GetTimestamp();
        // The first connection's slot is freed when the silo sees it close: retry until then.
        while (status == HandshakeStatus.TooManyConnections && Stopwatch.GetElapsedTime(deadline) < Deadline)
        {
            using var attempt = await RawGrainSocket.ConnectAsync(host.Port);
            status = await attempt.HandshakeAsync();
        }

        Assert.Equal(HandshakeStatus.TooManyConnections, refused);
        Assert.True(closed);
        Assert.Equal(HandshakeStatus.Ok, status);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("MaxConnections", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_SiloAtMaxConnections_ConnectFailsNamingTheLimit()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.MaxConnections = 1);
        using var first = await RawGrainSocket.ConnectAsync(host.Port);
        await first.SendPreambleAsync();
        await using var client = new TestClient(host.Endpoint, secret: null);

        await client.Client.StartAsync(CancellationToken.None);

        Assert.False(client.Client.IsConnected);
        Assert.True(client.Probe.Sum("granary.client.handshake_failures", "too_many_connections") >= 1);
    }

    [Fact]
    public async Task Silo_MoreCallsInFlightThanTheOption_AnswersOverloadedAndCounts()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, configure: o => o.MaxInFlightPerConnection = 1);
        using var metrics = SiloProbe(host);
        await using var client = new TestClient(host.Endpoint, secret: null);

        var slow = client.Client.GetGrain<ITestGrain>("slow").EchoAsync(new EchoRequest("s", 1)).AsTask();
        await GrainTransportTests.WaitUntilAsync(() => handler.Calls == 1, "the slow call runs");
        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.Client.GetGrain<ITestGrain>("slow").EchoAsync(new EchoRequest("t", 2)));
        handler.ReleaseSlow();

        Assert.Equal("overloaded", e.Code);
        Assert.Equal(new EchoReply("s", 2), await slow.WaitAsync(Deadline));
        Assert.Equal(1, metrics.Sum("granary.silo.grain_port_limit_hits", "max_in_flight_per_connection"));
    }

    [Fact]
    public async Task Silo_FrameAboveMaxFrameBytes_ClosesAndCounts()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, maxFrameBytes: 4096);
        using var metrics = SiloProbe(host);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);
        await raw.SendPreambleAsync();

        await raw.SendAsync([0x01, 0x10, 0, 0, (byte)FrameKind.Request]); // length 4097

        Assert.True(await raw.WaitClosedAsync(Deadline));
        await GrainTransportTests.WaitUntilAsync(() => metrics.Sum("granary.silo.grain_port_limit_hits", "max_frame_bytes") == 1, "the oversized frame counted");
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Client_CallAboveMaxFrameBytes_FailsBadRequestAndCounts()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = new TestClient(host.Endpoint, secret: null, o => o.MaxFrameBytes = 1024);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.Client.GetGrain<ITestGrain>("big").EchoAsync(new EchoRequest(new string('x', 2000), 1)));

        Assert.Equal("bad_request", e.Code);
        Assert.Equal(1, client.Probe.Sum("granary.client.limit_hits", "max_frame_bytes"));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Client_MorePendingCallsThanMaxPendingCalls_FailsOverloadedAndCounts()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        // 16 = one call per shard of the pending-call table; call 17 lands on the shard of call 1.
        await using var client = new TestClient(host.Endpoint, secret: null, o => o.MaxPendingCalls = 16);
        await client.Client.StartAsync(CancellationToken.None);

        var waiting = Enumerable.Range(0, 16).Select(i => client.Client.GetGrain<ITestGrain>("slow").EchoAsync(new EchoRequest($"w{i}", i)).AsTask()).ToArray();
        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.Client.GetGrain<ITestGrain>("slow").EchoAsync(new EchoRequest("over", 1)));
        await GrainTransportTests.WaitUntilAsync(() => handler.Calls == 16, "the 16 calls reached the silo");
        handler.ReleaseSlow();
        await Task.WhenAll(waiting).WaitAsync(Deadline);

        Assert.Equal("overloaded", e.Code);
        Assert.Contains("MaxPendingCalls", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.Probe.Sum("granary.client.limit_hits", "max_pending_calls"));
    }

    [Theory]
    [InlineData("0.0.0.0", null, false)]
    [InlineData("*", "", false)]
    [InlineData("10.0.0.5", null, false)]
    [InlineData("0.0.0.0", "a-secret", true)]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("localhost", null, true)]
    [InlineData("::1", null, true)]
    public void ValidateGrainPortSecurity_HostAndSecret_RefusesOnlyAnOpenPortBeyondLoopback(string host, string? secret, bool ok)
    {
        var problem = new SiloOptions { Host = host }.ValidateGrainPortSecurity(secret);

        Assert.Equal(ok, problem is null);
        if (!ok)
            Assert.Contains("Granary:ClusterSecret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloConnectionHandler_WildcardHostWithoutSecret_RefusesToServeNamingTheKey()
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => new SiloConnectionHandler(services, new SiloOptions { Host = "0.0.0.0" }));
        var withSecret = new SiloConnectionHandler(services, new SiloOptions { Host = "0.0.0.0", ClusterSecret = "s" });

        Assert.Contains("Granary:ClusterSecret", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, withSecret.OpenConnections);
    }

    [Fact]
    public void AddGranarySilo_SecretInConfiguration_ResolvedIntoSiloOptions()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[ClusterHandshake.SecretConfigurationKey] = "from-config";
        builder.Services.AddGranarySilo(o => o.Host = "0.0.0.0");
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<SiloOptions>>().Value;

        Assert.Equal("from-config", options.ClusterSecret);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(100, 99)]
    public void SiloOptionsValidate_LimitsOutOfRange_NameTheProperty(int maxConnections, int handshakeTimeoutMs)
    {
        var problems = new SiloOptions { MaxConnections = maxConnections, HandshakeTimeoutMs = handshakeTimeoutMs, MaxInFlightPerConnection = 0 }.Validate().ToList();

        Assert.Contains(problems, p => p.Contains(maxConnections < 1 ? "MaxConnections" : "HandshakeTimeoutMs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxInFlightPerConnection", StringComparison.Ordinal));
    }

    [Fact]
    public void ClusterHandshake_Proofs_DependOnSecretDirectionAndNonces()
    {
        var key = ClusterHandshake.DeriveKey("k");
        var a = new byte[32];
        var b = new byte[32];
        b[0] = 1;
        var client = new byte[32];
        var silo = new byte[32];

        ClusterHandshake.ComputeClientProof(key, a, b, client);
        ClusterHandshake.ComputeSiloProof(key, a, b, silo);

        Assert.True(ClusterHandshake.VerifyClientProof(key, a, b, client));
        Assert.False(ClusterHandshake.VerifyClientProof(key, a, b, silo));
        Assert.False(ClusterHandshake.VerifySiloProof(key, a, b, client));
        Assert.False(ClusterHandshake.VerifyClientProof(ClusterHandshake.DeriveKey("K"), a, b, client));
        Assert.False(ClusterHandshake.VerifyClientProof(key, b, a, client));
        Assert.False(ClusterHandshake.VerifyClientProof(ClusterHandshake.DeriveKey(null), a, b, client));
        Assert.False(ClusterHandshake.VerifyClientProof(key, a, b, client.AsSpan(0, 31)));
    }

    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var received = new List<byte>();
        var chunk = new byte[256];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
                if (n == 0)
                    return [.. received];
                received.AddRange(chunk.AsSpan(0, n));
            }
        }
        catch (SocketException)
        {
            return [.. received];
        }
    }
}
