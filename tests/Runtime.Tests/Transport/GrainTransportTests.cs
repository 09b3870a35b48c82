using System.Buffers;
using System.Diagnostics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Messaging;
using Granary.Runtime.Placement;
using Granary.Runtime.Serialization;
using Granary.Runtime.Transport;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Tests.Transport;

/// <summary>Client and silo sides of the grain transport over real sockets on 127.0.0.1.</summary>
public sealed class GrainTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>A client of <paramref name="silos"/>; <paramref name="time"/> (default: the system clock) drives its deadlines, pings and backoff.</summary>
    internal static ClusterClient NewClient(IEnumerable<string> silos, Action<ClientOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new ClientOptions { Silos = [.. silos], CallTimeoutMs = 5000, ReconnectMinDelayMs = 20, ReconnectMaxDelayMs = 200 };
        configure?.Invoke(options);
        return new ClusterClient(new GrainInterfaceRegistry([TestGrainReference.Descriptor]), new StaticMembershipViewProvider(options.Silos), options, time);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > Deadline)
                Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task InvokeAsync_RoundTrip_ReturnsDecodedResultAndStampsView()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var reply = await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("hello", 21));

        Assert.Equal(new EchoReply("hello", 42), reply);
        Assert.True(handler.Received.TryDequeue(out var received));
        Assert.Equal(new GrainRequestHeader(new GrainId("test", "a"), TestGrainReference.EchoMethod), received.Header);
        Assert.Equal(StaticMembershipViewProvider.StaticVersion, received.CallerView);
        Assert.True(client.IsConnected);
        Assert.Equal(1, client.SentCalls);
        Assert.Equal(0, client.FailedCalls);
    }

    [Fact]
    public async Task InvokeAsync_ThousandConcurrentCalls_AllCompleteCorrectlyOverOneConnection()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var calls = Enumerable.Range(0, 1000)
            .Select(i => client.GetGrain<ITestGrain>($"g{i % 37}").EchoAsync(new EchoRequest($"t{i}", i)).AsTask())
            .ToArray();
        var replies = await Task.WhenAll(calls).WaitAsync(Deadline);

        for (var i = 0; i < replies.Length; i++)
            Assert.Equal(new EchoReply($"t{i}", 2 * i), replies[i]);
        Assert.Equal(1000, handler.Calls);
        Assert.Equal(1, client.FindConnection(host.Endpoint)!.SessionsOpened);
    }

    [Fact]
    public async Task InvokeAsync_SlowCall_DoesNotBlockFastCallOnSameConnection()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var slow = client.GetGrain<ITestGrain>("slow").EchoAsync(new EchoRequest("slow", 1)).AsTask();
        await WaitUntilAsync(() => handler.Calls == 1, "the slow call reached the silo");
        var fast = await client.GetGrain<ITestGrain>("fast").EchoAsync(new EchoRequest("fast", 2)).AsTask().WaitAsync(Deadline);

        Assert.Equal(new EchoReply("fast", 4), fast);
        Assert.False(slow.IsCompleted);
        handler.ReleaseSlow();
        Assert.Equal(new EchoReply("slow", 2), await slow.WaitAsync(Deadline));
    }

    [Fact]
    public async Task InvokeAsync_ErrorOutcome_ThrowsGrainCallExceptionWithCode()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>("fail").EchoAsync(new EchoRequest("boom", 1)));

        Assert.Equal("grain_error", e.Code);
        Assert.Contains("boom", e.Message);
        Assert.Equal(0, client.FailedCalls);
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_AnswersGrainErrorAndConnectionStaysUp()
    {
        var handler = new FakeCallHandler { Override = h => h.GrainId.Key == "throw" ? throw new InvalidOperationException("bad grain") : null };
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>("throw").EchoAsync(new EchoRequest("x", 1)));
        var reply = await client.GetGrain<ITestGrain>("ok").EchoAsync(new EchoRequest("y", 3));

        Assert.Equal(("grain_error", "bad grain"), (e.Code, e.Message));
        Assert.Equal(new EchoReply("y", 6), reply);
    }

    [Fact]
    public async Task InvokeAsync_LargeFrameNearCap_RoundTrips()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);
        var text = new string('x', FrameCodec.DefaultMaxFrameBytes - 200);

        var reply = await client.GetGrain<ITestGrain>("big").EchoAsync(new EchoRequest(text, 5)).AsTask().WaitAsync(Deadline);

        Assert.Equal(text.Length, reply.Text.Length);
        Assert.Equal(10, reply.Doubled);
    }

    [Fact]
    public async Task InvokeAsync_RequestAboveFrameCap_FailsLocallyWithBadRequest()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint], o => o.MaxFrameBytes = 4096);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>("big").EchoAsync(new EchoRequest(new string('x', 5000), 1)));

        Assert.Equal("bad_request", e.Code);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task InvokeOneWay_ReachesTheSilo()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);
        await client.GetGrain<ITestGrain>("warm").EchoAsync(new EchoRequest("w", 0));

        client.GetGrain<ITestGrain>("a").Notify(new EchoRequest("n", 1));

        await WaitUntilAsync(() => handler.Received.Any(r => r.Header.MethodId == TestGrainReference.NotifyMethod), "the one-way call arrived");
        Assert.Equal(2, client.SentCalls);
        Assert.Equal(0, client.FailedCalls);
    }

    [Fact]
    public async Task InvokeAsync_NoAnswerWithinDeadline_ThrowsTimeoutException()
    {
        // The client's clock is manual: only this test moves it, so neither the first connect nor
        // the answered calls can run out of their 200 ms on a loaded machine; only "never" does.
        var time = new ManualTimeProvider();
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint], o => o.CallTimeoutMs = 200, time);
        await client.GetGrain<ITestGrain>("warm").EchoAsync(new EchoRequest("w", 0));

        var call = client.GetGrain<ITestGrain>("never").EchoAsync(new EchoRequest("x", 1)).AsTask();
        // The silo has the frame, so the call is pending with its deadline (clock + 200 ms) before the clock moves.
        await WaitUntilAsync(() => Volatile.Read(ref handler.NeverStarted) == 1, "the call reached the silo");
        time.Advance(TimeSpan.FromMilliseconds(190));
        var before = await client.GetGrain<ITestGrain>("before").EchoAsync(new EchoRequest("b", 2)).AsTask().WaitAsync(Deadline);
        var earlyFailures = client.FailedCalls;
        var earlyCompleted = call.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(20));

        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(Deadline));
        Assert.Equal(new EchoReply("b", 4), before);
        Assert.False(earlyCompleted, "the call must not end before its deadline");
        Assert.Equal(0, earlyFailures);
        Assert.Equal(1, client.FailedCalls);
        // The connection survives a timeout.
        Assert.Equal(new EchoReply("y", 2), await client.GetGrain<ITestGrain>("ok").EchoAsync(new EchoRequest("y", 1)).AsTask().WaitAsync(Deadline));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);
        using var cts = new CancellationTokenSource();

        var call = client.GetGrain<ITestGrain>("never").EchoAsync(new EchoRequest("x", 1), cts.Token).AsTask();
        await WaitUntilAsync(() => handler.NeverStarted == 1, "the call reached the silo");
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Deadline));
    }

    [Fact]
    public async Task InvokeAsync_ServerStopped_PendingFailUnavailableThenReconnectsToRestartedServer()
    {
        var handler = new FakeCallHandler();
        var host = await GrainPortHost.StartAsync(handler);
        var port = host.Port;
        await using var client = NewClient([host.Endpoint], o => o.CallTimeoutMs = 20_000);
        var pending = client.GetGrain<ITestGrain>("never").EchoAsync(new EchoRequest("x", 1)).AsTask();
        await WaitUntilAsync(() => handler.NeverStarted == 1, "the call reached the silo");

        await host.DisposeAsync();

        await Assert.ThrowsAsync<SiloUnavailableException>(() => pending.WaitAsync(Deadline));
        Assert.Equal(1, handler.NeverCanceled);
        await WaitUntilAsync(() => !client.IsConnected, "the client saw the connection drop");
        var started = Stopwatch.GetTimestamp();
        await Assert.ThrowsAsync<SiloUnavailableException>(async () => await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("down", 1)));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1), "a call while disconnected fails fast");

        var restartedHandler = new FakeCallHandler();
        await using var restarted = await GrainPortHost.StartAsync(restartedHandler, port);
        await WaitUntilAsync(() => client.IsConnected, "the client reconnected");
        var reply = await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("up", 4));

        Assert.Equal(new EchoReply("up", 8), reply);
        Assert.Equal(2, client.FindConnection(restarted.Endpoint)!.SessionsOpened);
        Assert.True(client.FailedCalls >= 2);
    }

    [Fact]
    public async Task InvokeAsync_NoSiloListening_FailsWithSiloUnavailable()
    {
        // A manual clock that never moves: the call waits for the refused connect however slow the machine, never for a deadline.
        await using var client = NewClient([$"127.0.0.1:{GrainPortHost.FreePort()}"], o => o.CallTimeoutMs = 2000, new ManualTimeProvider());

        await Assert.ThrowsAsync<SiloUnavailableException>(async () => await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("x", 1)));

        Assert.False(client.IsConnected);
        Assert.Equal(1, client.FailedCalls);
    }

    [Fact]
    public async Task InvokeAsync_WrongSiloNamingOwner_IsFollowedToTheOwner()
    {
        var handlerA = new FakeCallHandler();
        var handlerB = new FakeCallHandler();
        await using var hostA = await GrainPortHost.StartAsync(handlerA);
        await using var hostB = await GrainPortHost.StartAsync(handlerB);
        handlerA.Override = _ => CallOutcome.Redirect(hostB.Endpoint);
        await using var client = NewClient([hostA.Endpoint, hostB.Endpoint]);
        var key = KeyOwnedBy(hostA.Endpoint, hostA.Endpoint, hostB.Endpoint);

        var reply = await client.GetGrain<ITestGrain>(key).EchoAsync(new EchoRequest("r", 3));

        Assert.Equal(new EchoReply("r", 6), reply);
        Assert.Equal((1, 1), (handlerA.Calls, handlerB.Calls));
    }

    [Fact]
    public async Task InvokeAsync_WrongSiloEveryTime_FailsNotOwnerAfterTwoRetries()
    {
        var handlerA = new FakeCallHandler();
        var handlerB = new FakeCallHandler();
        await using var hostA = await GrainPortHost.StartAsync(handlerA);
        await using var hostB = await GrainPortHost.StartAsync(handlerB);
        handlerA.Override = _ => CallOutcome.Redirect(hostB.Endpoint);
        handlerB.Override = _ => CallOutcome.Redirect(hostA.Endpoint);
        await using var client = NewClient([hostA.Endpoint, hostB.Endpoint]);
        var key = KeyOwnedBy(hostA.Endpoint, hostA.Endpoint, hostB.Endpoint);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>(key).EchoAsync(new EchoRequest("r", 3)));

        Assert.Equal("not_owner", e.Code);
        Assert.Equal(1 + ClusterClient.MaxRetries, handlerA.Calls + handlerB.Calls);
        Assert.Equal((2, 1), (handlerA.Calls, handlerB.Calls));
    }

    [Fact]
    public async Task InvokeAsync_WrongSiloWithoutOwner_RereadsViewAndIsCapped()
    {
        var handler = new FakeCallHandler { Override = _ => CallOutcome.Redirect(null) };
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);

        var e = await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>("k").EchoAsync(new EchoRequest("r", 3)));

        Assert.Equal("not_owner", e.Code);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Silo_GarbageBytes_ClosesThatConnectionAndKeepsServingOthers()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        await using var client = NewClient([host.Endpoint]);
        await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("before", 1));

        using var raw = await RawGrainSocket.ConnectAsync(host.Port);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        Assert.True(await raw.WaitClosedAsync(Deadline), "the garbage connection was closed");
        Assert.Equal(new EchoReply("after", 4), await client.GetGrain<ITestGrain>("a").EchoAsync(new EchoRequest("after", 2)));
        var warning = Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("closed during the cluster handshake (bad_preamble)"));
        Assert.Contains("127.0.0.1", warning.Message);
    }

    [Fact]
    public async Task Silo_UnknownFrameKindAfterPreamble_ClosesConnection()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);

        await raw.SendPreambleAsync();
        await raw.SendAsync([13, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        Assert.True(await raw.WaitClosedAsync(Deadline));
    }

    [Fact]
    public async Task Silo_OversizedFrame_ClosesConnection()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, maxFrameBytes: 4096);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);

        await raw.SendPreambleAsync();
        await raw.SendAsync([0x01, 0x10, 0, 0, (byte)FrameKind.Request]); // length 4097

        Assert.True(await raw.WaitClosedAsync(Deadline));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Silo_UndecodableRequestHeader_AnswersBadRequestAndKeepsConnection()
    {
        var handler = new FakeCallHandler { ViewVersion = 42 };
        await using var host = await GrainPortHost.StartAsync(handler);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);
        await raw.SendPreambleAsync();

        await raw.SendFrameAsync(FrameKind.Request, 17, 1, [0x05, 0x41]);
        var (header, payload) = await raw.ReadFrameAsync(Deadline);
        await raw.SendFrameAsync(FrameKind.Ping, 18, 1, []);
        var (pong, _) = await raw.ReadFrameAsync(Deadline);

        Assert.Equal((FrameKind.Error, 17u, 42L), (header.Kind, header.RequestId, header.ViewVersion));
        var reader = new GrainReader(payload);
        Assert.Equal("bad_request", CallError.Read(ref reader).Code);
        Assert.Equal((FrameKind.Pong, 18u, 42L), (pong.Kind, pong.RequestId, pong.ViewVersion));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Silo_TooManyCallsInFlight_AnswersOverloaded()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler, maxInFlight: 2);
        using var raw = await RawGrainSocket.ConnectAsync(host.Port);
        await raw.SendPreambleAsync();

        for (uint id = 1; id <= 3; id++)
            await raw.SendFrameAsync(FrameKind.Request, id, 1, EncodeCall("slow", "s", 1));
        var (first, payload) = await raw.ReadFrameAsync(Deadline);
        handler.ReleaseSlow();
        var answered = new[] { (await raw.ReadFrameAsync(Deadline)).Header, (await raw.ReadFrameAsync(Deadline)).Header };

        Assert.Equal((FrameKind.Error, 3u), (first.Kind, first.RequestId));
        var reader = new GrainReader(payload);
        Assert.Equal("overloaded", CallError.Read(ref reader).Code);
        Assert.All(answered, h => Assert.Equal(FrameKind.Response, h.Kind));
        Assert.Equal([1u, 2u], answered.Select(h => h.RequestId).Order());
    }

    [Fact]
    public async Task Silo_ClientClosesMidCall_CancelsTheCall()
    {
        var handler = new FakeCallHandler();
        await using var host = await GrainPortHost.StartAsync(handler);
        var raw = await RawGrainSocket.ConnectAsync(host.Port);
        await raw.SendPreambleAsync();
        await raw.SendFrameAsync(FrameKind.Request, 1, 1, EncodeCall("never", "x", 1));
        await WaitUntilAsync(() => handler.NeverStarted == 1, "the call started");

        raw.Dispose();

        await WaitUntilAsync(() => handler.NeverCanceled == 1, "the call was canceled");
    }

    private static byte[] EncodeCall(string key, string text, int number)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new GrainWriter(buffer);
        GrainRequestHeader.Write(writer, new GrainRequestHeader(new GrainId("test", key), TestGrainReference.EchoMethod));
        EchoRequest.Write(writer, new EchoRequest(text, number));
        return buffer.WrittenSpan.ToArray();
    }

    private static string KeyOwnedBy(string owner, params string[] silos)
    {
        var view = new StaticMembershipViewProvider(silos).Current;
        for (var i = 0; ; i++)
        {
            var key = $"k{i}";
            if (RendezvousPlacement.SelectOwner(new GrainId("test", key), view.ActiveSilos)!.Endpoint == owner)
                return key;
        }
    }
}
