using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Fallback;
using Granary.Gateway.Hosting;
using Granary.Gateway.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace Granary.Gateway.Tests;

/// <summary>The connection state, the client options and their checks, the failure mapping, and the client's registration.</summary>
public sealed class ClusterConnectionTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-client").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task State_GatewaysBeforeStart_ConnectedOnlyOnceStartedAndWhileAGatewayIsOpen()
    {
        var logger = new ListLogger<ClusterConnectionState>();
        var state = new ClusterConnectionState(logger);
        var changed = state.Changed;

        state.NotifyGatewayCountChanged(1, 0, connectionRecovered: true); // Orleans opens the connection during the start
        Assert.False(state.IsConnected);
        Assert.False(changed.IsCompleted);

        state.MarkStarted();
        Assert.True(state.IsConnected);
        Assert.True(changed.IsCompleted);

        state.NotifyGatewayCountChanged(2, 1, connectionRecovered: false);
        state.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        Assert.True(state.IsConnected);

        var lost = state.WaitForChangeAsync(CancellationToken.None);
        state.NotifyClusterConnectionLost();
        await lost.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(state.IsConnected);
        Assert.Equal((0, 1L), (state.Gateways, state.Losses));

        state.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        state.MarkStopped();
        Assert.False(state.IsConnected);
        Assert.Equal(1, state.Losses); // a stop is not a loss

        Assert.Equal([17, 18, 17], logger.Entries.Select(e => e.EventId).ToArray());
        Assert.Equal(LogLevel.Warning, logger.Entries[1].Level);
    }

    [Fact]
    public void Circuit_ClientNotConnected_NoCallsAndNotClosed()
    {
        var connection = TestConnection.Disconnected();
        var circuit = new SiloCircuit(TimeProvider.System, TestOptions.Gateway(), connection, new ListLogger<SiloCircuit>());

        Assert.False(circuit.TryEnter());
        Assert.False(circuit.IsClosed);

        connection.MarkStarted();
        connection.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        Assert.True(circuit.TryEnter());
        Assert.True(circuit.IsClosed);
    }

    [Theory]
    [MemberData(nameof(FallbackErrors))]
    public void IsFallbackError_LinkAndClusterFailures_True(Exception exception)
    {
        Assert.True(GrainFailures.IsFallbackError(exception, connected: true));
        Assert.False(GrainFailures.IsBadRequest(exception));
    }

    public static TheoryData<Exception> FallbackErrors() =>
    [
        new TimeoutException("Response did not arrive on time in 00:00:01"),
        new SiloUnavailableException("The target silo became unavailable"),
        new ConnectionFailedException("Unable to connect to any of the 1 available gateways."),
        new GatewayTooBusyException(),
        new OrleansException("Error creating activation"),
        // What a gateway received while PostgreSQL was down: the activation's NpgsqlException could not be serialized.
        new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type Npgsql.NpgsqlException."),
    ];

    [Fact]
    public void IsFallbackError_ArgumentExceptionFromTheGrain_BadRequestNotFallback()
    {
        var refused = new ArgumentOutOfRangeException("request", "Requested must be 0–100000");

        Assert.True(GrainFailures.IsBadRequest(refused));
        Assert.False(GrainFailures.IsFallbackError(refused, connected: true));
        Assert.False(GrainFailures.IsFallbackError(refused, connected: false));
    }

    [Fact]
    public void IsFallbackError_DisposedOrCanceled_FallbackOnlyWhileNotConnected()
    {
        Assert.True(GrainFailures.IsFallbackError(new ObjectDisposedException("OutsideRuntimeClient"), connected: false));
        Assert.True(GrainFailures.IsFallbackError(new OperationCanceledException(), connected: false));
        Assert.False(GrainFailures.IsFallbackError(new ObjectDisposedException("OutsideRuntimeClient"), connected: true));
        Assert.False(GrainFailures.IsFallbackError(new InvalidOperationException("bug"), connected: false));
    }

    [Fact]
    public void GrainReferences_NoGrainTypeInManifest_OrleansExceptionSoCallersFallBack()
    {
        var grains = new FakeGrainFactory { GetGrainFailure = new ArgumentException("Could not find an implementation for interface granary.IClientGrain") };

        var ex = Assert.Throws<OrleansException>(() => grains.References.Client("user1"));

        Assert.Contains("IClientGrain", ex.Message, StringComparison.Ordinal);
        Assert.True(GrainFailures.IsFallbackError(ex));
    }

    [Fact]
    public void GrainReferences_Client_CachedPerIdAndBounded()
    {
        var grains = new FakeGrainFactory();
        var references = new GrainReferences(grains, maxClients: 2);

        Assert.Same(references.Client("a"), references.Client("a"));
        references.Client("b");
        Assert.Equal(2, grains.GetGrainCalls);

        references.Client("c"); // over the bound: the cache is cleared
        references.Client("a");
        Assert.Equal(4, grains.GetGrainCalls);
        Assert.True(references.CachedClients <= 2);
    }

    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1", 30000)]
    [InlineData(" localhost:30001 ", "127.0.0.1", 30001)]
    [InlineData("[::1]:30002", "::1", 30002)]
    [InlineData("10.1.2.3:1", "10.1.2.3", 1)]
    public void TryParseEndpoint_IpOrLocalhostAndPort_Parsed(string value, string address, int port)
    {
        Assert.True(GatewayClientOptions.TryParseEndpoint(value, out var endpoint));
        Assert.Equal((address, port), (endpoint.Address.ToString(), endpoint.Port));
    }

    [Theory]
    [InlineData("silo1:30000")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.1:30000")]
    [InlineData("::1:30000")]
    [InlineData("")]
    public void Build_BadGateway_FailsNamingTheKey(string gateway)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, "--Granary:Client:Gateways:0=" + gateway]));

        Assert.Contains("Granary:Client:Gateways:0 must be ip:port", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ConnectRetryDelayMs=10", "Granary:Client:ConnectRetryDelayMs must be 50–60000, got 10.")]
    [InlineData("GatewayListRefreshMs=0", "Granary:Client:GatewayListRefreshMs must be 100–600000, got 0.")]
    public void Build_ClientOptionOutOfRange_FailsNamingTheKeyAndLimits(string setting, string message)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, "--Granary:Client:" + setting]));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TlsFilesMissing_RefusedNamingTheKeyAndFile()
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, "--Granary:Tls:CertificatePath=/nonexistent/gw.pem",
            "--Granary:Tls:KeyPath=/nonexistent/gw.key", "--Granary:Tls:CaPath=/nonexistent/ca.pem",
        ]));

        Assert.Contains("Granary:Tls:CertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/gw.pem", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3:30000")]
    [InlineData("[2001:db8::1]:30000")]
    public void Build_GatewaysBeyondLoopbackWithoutTls_RefusedNamingTheTlsKeys(string endpoint)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, $"--Granary:Client:Gateways:0={endpoint}"]));

        Assert.Contains("Granary:Tls:CertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:KeyPath", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:CaPath", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:30000")]
    [InlineData("localhost:30001")]
    [InlineData("[::1]:30000")]
    public void Build_LoopbackGatewaysWithoutTls_Accepted(string endpoint)
    {
        using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, $"--Granary:Client:Gateways:0={endpoint}"]);

        Assert.NotNull(app.Services.GetRequiredService<ClusterConnectionState>());
    }

    [Fact]
    public void Build_PostgreSql_GatewayListNotChecked()
    {
        using var app = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot,
            "--Granary:PostgreSql:ConnectionString=Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z",
            "--Granary:Client:Gateways:0=not-an-endpoint",
        ]);

        Assert.False(app.Services.GetRequiredService<ClusterConnectionState>().IsConnected);
    }

    [Fact]
    public async Task Build_OrleansClient_StartedByTheConnectorNotByOrleansHostedService()
    {
        var logs = new ListLoggerProvider();
        await using var app = GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, "--Granary:Client:Silos:0=127.0.0.1:11111", "--Granary:Client:CallTimeoutMs=2000"],
            configure: builder => builder.Logging.AddProvider(logs));

        var hosted = app.Services.GetServices<IHostedService>().ToList();
        var client = app.Services.GetRequiredService<IClusterClient>();

        Assert.Single(hosted.OfType<ClusterConnector>());
        Assert.DoesNotContain(hosted, h => ReferenceEquals(h, client));
        // The connector is registered before every service that calls grains, so it stops after them.
        var connector = hosted.FindIndex(h => h is ClusterConnector);
        Assert.True(connector < hosted.FindIndex(h => h is Balancing.BackendMonitor));
        Assert.True(connector < hosted.FindIndex(h => h is Diagnostics.GatewayHeartbeat));
        Assert.True(connector < hosted.FindIndex(h => h is RateLimiting.TokenLeaseLimiter));
        Assert.True(connector < hosted.FindIndex(h => h is Balancing.BatchedReportFlusher));
        // The removed keys are named, with their replacement.
        var removed = logs.Entries.Where(e => e.EventId == 25).Select(e => e.Message).ToList();
        Assert.Equal(2, removed.Count);
        Assert.Contains(removed, m => m.Contains("'Granary:Client:Silos'", StringComparison.Ordinal) && m.Contains("Granary:Client:Gateways", StringComparison.Ordinal));
        Assert.Contains(removed, m => m.Contains("'Granary:Client:CallTimeoutMs'", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_ClientOptions_MatchTheDocumentedValues()
    {
        var options = new GatewayClientOptions();

        Assert.Equal(["127.0.0.1:30000"], options.ResolvedGateways);
        Assert.Equal((1000, 1000), (options.ConnectRetryDelayMs, options.GatewayListRefreshMs));
        Assert.Empty(options.Validate(usesPostgreSql: false));
    }
}
