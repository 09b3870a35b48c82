using Granary.Samples.DemoBackend;

namespace Granary.Deploy.Tests;

/// <summary>Static checks of docker-compose.yml: no Docker engine runs here, so these read the files only.</summary>
public sealed class ComposeFileTests
{
    private static readonly ComposeFile Compose = ComposeFile.Load(RepoPaths.ComposeFile);

    private static List<ComposeService> OfKind(ServiceKind kind) =>
        Compose.Services.Where(s => ComposeFile.KindOf(s) == kind).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    [Fact]
    public void Services_Declared_PostgresCertificatesTwoSilosOneGatewayServiceThreeBackends()
    {
        Assert.All(Compose.Services, s => Assert.NotEqual(ServiceKind.Unknown, ComposeFile.KindOf(s)));
        Assert.Equal(new[] { "postgres" }, OfKind(ServiceKind.Postgres).Select(s => s.Name));
        Assert.Equal(new[] { "certs" }, OfKind(ServiceKind.Certificates).Select(s => s.Name));
        Assert.Equal(new[] { "silo1", "silo2" }, OfKind(ServiceKind.Silo).Select(s => s.Name));
        Assert.Equal(new[] { "gateway" }, OfKind(ServiceKind.Gateway).Select(s => s.Name));
        Assert.Equal(new[] { "backend1", "backend2", "backend3" }, OfKind(ServiceKind.Backend).Select(s => s.Name));
        // Built from deploy/postgres.Dockerfile, whose base image (a build argument) is the official postgres:17 by default.
        Assert.StartsWith("postgres:17", ServiceFacts.ImageStage(Compose["postgres"])?.BaseImage, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_EveryService_IsBuiltFromAnExistingDockerfileInDeploy()
    {
        var built = Compose.Services.Where(s => s.BuildContext is not null).ToList();

        // Every image, PostgreSQL's too, is built from deploy/*.Dockerfile, where base images are build arguments
        // (tests/compose/docker-compose.standins.yml substitutes them); an image-only service could not be substituted.
        Assert.Equal(Compose.Services.Select(s => s.Name), built.Select(s => s.Name));
        Assert.Equal(8, built.Count);
        Assert.All(built, s =>
        {
            Assert.True(Directory.Exists(RepoPaths.Combine(s.BuildContext!)), $"{s}: build context '{s.BuildContext}' does not exist.");
            Assert.True(File.Exists(s.DockerfilePath), $"{s}: Dockerfile '{s.BuildDockerfile}' does not exist in context '{s.BuildContext}'.");
            Assert.Matches(@"^deploy/[^/]+\.Dockerfile$", RepoPaths.Relative(s.DockerfilePath!));
            if (s.BuildTarget is { } target) Assert.NotNull(ServiceFacts.Dockerfile(s)!.Stage(target));
        });
    }

    [Fact]
    public void Environment_EveryVariable_IsAConfigurationKeyOfThatHost()
    {
        var problems = new List<string>();
        foreach (var service in Compose.Services)
        {
            var keys = ConfigurationKeys.For(ComposeFile.KindOf(service));
            var image = ServiceFacts.ImageStage(service)?.Environment ?? new Dictionary<string, string>();
            foreach (var (variable, origin) in service.Environment.Keys.Select(k => (k, "compose")).Concat(image.Keys.Select(k => (k, "Dockerfile ENV"))))
            {
                if (!keys.IsKnownVariable(variable, out var why)) problems.Add($"{service.Name} ({origin}): {variable}: {why}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Ports_Published_FollowTheLocalProfileContracts()
    {
        var problems = new List<string>();
        foreach (var gateway in OfKind(ServiceKind.Gateway))
        {
            foreach (var p in gateway.Ports.Where(p => p.IsPublished))
            {
                if (p.HostFirst != 8080) problems.Add($"{gateway}: {p.Text}: the first gateway's host port must be 8080 (gateways 8080, 8081, …)");
                if (!ServiceFacts.GatewayPorts(gateway).Contains(p.ContainerPort)) problems.Add($"{gateway}: {p.Text}: the gateway listens on {string.Join(",", ServiceFacts.GatewayPorts(gateway))}");
            }
        }

        var silos = OfKind(ServiceKind.Silo);
        for (var i = 0; i < silos.Count; i++)
        {
            var (http, grain) = (ServiceFacts.SiloHttpPort(silos[i]), ServiceFacts.SiloPort(silos[i]));
            Assert.Contains(silos[i].Ports, p => p.ContainerPort == http && p.IsPublished);
            foreach (var p in silos[i].Ports.Where(p => p.IsPublished))
            {
                var expected = p.ContainerPort == http ? 9090 + i : p.ContainerPort == grain ? 11111 + i : -1;
                if (expected < 0) problems.Add($"{silos[i]}: {p.Text}: publish only the HTTP port {http} (the Orleans ports stay on the compose network)");
                else if (p.HostFirst != expected || p.HostLast != expected) problems.Add($"{silos[i]}: {p.Text}: host port must be {expected}");
                // The admin API has no authentication yet: never publish it beyond the host's loopback.
                if (p.HostIp != "127.0.0.1") problems.Add($"{silos[i]}: {p.Text}: publish silo ports on 127.0.0.1 only");
            }
        }

        var backends = OfKind(ServiceKind.Backend);
        for (var i = 0; i < backends.Count; i++)
        {
            var listen = DemoBackendOptions.Parse(backends[i].Command).Port;
            foreach (var p in backends[i].Ports.Where(p => p.IsPublished))
            {
                if (p.HostFirst != 5001 + i || p.HostLast != 5001 + i) problems.Add($"{backends[i]}: {p.Text}: host port must be {5001 + i}");
                if (p.ContainerPort != listen) problems.Add($"{backends[i]}: {p.Text}: the backend listens on {listen}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Ports_HostPortVariables_HaveDefaultsAndBelongToOneServiceEach()
    {
        var problems = new List<string>();
        var users = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var service in Compose.Services)
        {
            foreach (var p in service.Ports)
            {
                // `docker-compose up` with no .env and nothing exported must publish the documented ports.
                foreach (var v in p.Variables.Where(v => !v.HasDefault))
                    problems.Add($"{service}: {p.Text}: ${{{v.Name}}} has no default (write ${{{v.Name}:-<port>}})");
                foreach (var v in p.Variables) (users.TryGetValue(v.Name, out var set) ? set : users[v.Name] = []).Add(service.Name);
                if (p.Variables.Count > 0 && !p.IsPublished) problems.Add($"{service}: {p.Text}: publishes no host port with the defaults");
            }
        }
        // Setting one variable moves one service's ports only (two services on one variable would clash when it is set).
        problems.AddRange(users.Where(u => u.Value.Count > 1).Select(u => $"{u.Key} is used by {string.Join(", ", u.Value.Order())}"));

        Assert.NotEmpty(users);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Ports_HostPortVariables_AreSetByTheComposeTest()
    {
        // tests/compose/run.sh picks free host ports so that it does not clash with a running ./run.sh or another stack.
        var script = File.ReadAllText(RepoPaths.Combine("tests/compose/run.sh"));
        var variables = Compose.Services.SelectMany(s => s.Ports).SelectMany(p => p.Variables).Select(v => v.Name).Distinct().Order().ToList();

        var unset = variables.Where(v => !System.Text.RegularExpressions.Regex.IsMatch(script, $@"\bexport\b[^\n]*\b{v}\b")
            || !System.Text.RegularExpressions.Regex.IsMatch(script, $@"\b{v}=\S")).ToList();

        Assert.NotEmpty(variables);
        Assert.True(unset.Count == 0, "tests/compose/run.sh does not set and export: " + string.Join(", ", unset));
    }

    [Fact]
    public void Ports_HostPorts_DoNotOverlapAcrossServices()
    {
        var all = Compose.Services.SelectMany(s => s.Ports.Where(p => p.IsPublished).Select(p => (Service: s.Name, Port: p))).ToList();

        var clashes = all.SelectMany((a, i) => all.Skip(i + 1).Where(b => a.Port.Overlaps(b.Port)).Select(b => $"{a.Service} {a.Port.Text} / {b.Service} {b.Port.Text}")).ToList();

        Assert.True(clashes.Count == 0, "Host ports collide: " + string.Join("; ", clashes));
    }

    [Fact]
    public void Gateway_ScaledToThree_EachReplicaGetsItsOwnHostPortAndId()
    {
        var gateway = Compose["gateway"];
        var published = gateway.Ports.Where(p => p.IsPublished).ToList();

        // `docker compose up --scale gateway=3` gives each replica one port of the range; a fixed
        // single host port (or a container_name) would make the second replica fail to start.
        Assert.NotEmpty(published);
        Assert.All(published, p => Assert.True(p.HostPortCount >= 3, $"{p.Text}: a range of at least 3 host ports is needed for --scale gateway=3."));
        Assert.Null(gateway.ContainerName);
        // Every replica must report its in-flight counts under its own id: the default id includes the host name.
        Assert.Null(ServiceFacts.Config(gateway, "Granary:Gateway:Id"));
    }

    [Fact]
    public void Healthchecks_EveryService_HasOneAndDependsOnlyOnHealthyServices()
    {
        bool Healthy(ComposeService s) => s.HasHealthcheck || (!s.DisablesHealthcheck && ServiceFacts.ImageStage(s)?.HealthcheckCommand is not null);
        var problems = new List<string>();

        foreach (var service in Compose.Services)
        {
            if (!Healthy(service) && ComposeFile.KindOf(service) != ServiceKind.Certificates)
                problems.Add($"{service}: no health check (compose healthcheck or image HEALTHCHECK)");
            foreach (var (target, condition) in service.DependsOn)
            {
                if (!Compose.Services.Any(s => s.Name == target)) problems.Add($"{service}: depends on unknown service {target}");
                else if (ComposeFile.KindOf(Compose[target]) == ServiceKind.Certificates)
                {
                    // A one-shot service: waited for until it has exited 0.
                    if (condition != "service_completed_successfully") problems.Add($"{service}: depends on {target} with condition {condition}, not service_completed_successfully");
                }
                else if (condition != "service_healthy") problems.Add($"{service}: depends on {target} with condition {condition}, not service_healthy");
                else if (!Healthy(Compose[target])) problems.Add($"{service}: depends on {target}, which has no health check");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Healthchecks_ImageProbe_HitsThePortTheProcessListensOn()
    {
        foreach (var silo in OfKind(ServiceKind.Silo))
            Assert.Equal(ServiceFacts.SiloHttpPort(silo), ServiceFacts.HealthcheckPort(silo));
        foreach (var gateway in OfKind(ServiceKind.Gateway))
            Assert.Contains(ServiceFacts.HealthcheckPort(gateway)!.Value, ServiceFacts.GatewayPorts(gateway));
        foreach (var backend in OfKind(ServiceKind.Backend))
            Assert.Equal(DemoBackendOptions.Parse(backend.Command).Port, ServiceFacts.HealthcheckPort(backend));
    }

    [Fact]
    public void Dependencies_StartOrder_PostgresThenSilosThenGateways()
    {
        Assert.All(OfKind(ServiceKind.Silo), s => Assert.Contains("postgres", s.DependsOn.Keys));
        var gatewayNeeds = Compose["gateway"].DependsOn.Keys.ToHashSet();
        Assert.Superset(OfKind(ServiceKind.Silo).Concat(OfKind(ServiceKind.Backend)).Select(s => s.Name).ToHashSet(), gatewayNeeds);
    }

    [Fact]
    public void Cluster_SilosAndGateways_ShareOnePostgresConnectionAndClusterId()
    {
        var members = OfKind(ServiceKind.Silo).Concat(OfKind(ServiceKind.Gateway)).ToList();
        var connections = members.Select(s => ServiceFacts.Config(s, "Granary:PostgreSql:ConnectionString")).Distinct().ToList();
        var clusterIds = members.Select(s => ServiceFacts.Config(s, ConfigurationKeys.ClusterIdKey)).Distinct().ToList();
        var postgres = Compose["postgres"].Environment;

        var connection = Assert.Single(connections);
        Assert.NotNull(connection);
        Assert.Single(clusterIds);
        var parts = connection!.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        Assert.Equal("postgres", parts["Host"]);
        Assert.Equal(postgres["POSTGRES_USER"], parts["Username"]);
        Assert.Equal(postgres["POSTGRES_DB"], parts["Database"]);
        Assert.Equal(postgres["POSTGRES_PASSWORD"], parts["Password"]);
    }

    [Fact]
    public void Silos_InContainers_BindAllInterfacesAndAdvertiseTheirServiceName()
    {
        Assert.All(OfKind(ServiceKind.Silo), silo =>
        {
            Assert.Equal("0.0.0.0", ServiceFacts.Config(silo, "Granary:Silo:Host"));
            Assert.Equal(silo.Name, ServiceFacts.Config(silo, "Granary:Silo:AdvertisedHost"));
        });
    }

    [Fact]
    public void Silos_BindingBeyondLoopback_ShareOneAdminKeyOverridableFromTheEnvironment()
    {
        var silos = OfKind(ServiceKind.Silo);
        var keys = silos.Select(s => ServiceFacts.Config(s, "Granary:Silo:AdminKey")).Distinct().ToList();

        // Without a key a silo binds its HTTP port to loopback only: nothing could reach it through the published port.
        Assert.All(silos, s => Assert.False(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(ServiceFacts.Config(s, "Granary:Silo:Host")!))));
        var key = Assert.Single(keys);
        var m = System.Text.RegularExpressions.Regex.Match(key ?? "", @"^\$\{GRANARY_ADMIN_KEY:-(?<default>[!-~]+)\}$");
        Assert.True(m.Success, $"Granary__Silo__AdminKey should be ${{GRANARY_ADMIN_KEY:-<default>}}, is '{key}'");
        Assert.True(m.Groups["default"].Length >= 16, "the default admin key should have at least 16 characters (the silo warns below that)");
        Assert.All(OfKind(ServiceKind.Gateway).Concat(OfKind(ServiceKind.Backend)), s => Assert.Null(ServiceFacts.Config(s, "Granary:Silo:AdminKey")));
    }

    [Fact]
    public void Tls_SilosAndGateways_UseTheDevelopmentCertificatesMadeBeforeThemFromOneVolume()
    {
        var certs = Compose["certs"];
        // --make-dev-certs DIR NAME...: the names must be the certificates the services point at.
        var args = certs.Entrypoint.SkipWhile(a => a != "--make-dev-certs").Skip(1).ToList();
        var directory = args[0];
        var names = args.Skip(1).ToHashSet(StringComparer.Ordinal);
        var volume = Assert.Single(certs.Volumes, v => v.EndsWith(":" + directory, StringComparison.Ordinal)).Split(':')[0];
        Assert.Contains(volume, Compose.Volumes);

        foreach (var member in OfKind(ServiceKind.Silo).Concat(OfKind(ServiceKind.Gateway)))
        {
            Assert.Equal("service_completed_successfully", member.DependsOn.GetValueOrDefault("certs"));
            Assert.Contains($"{volume}:{directory}:ro", member.Volumes);
            var certificate = ServiceFacts.Config(member, "Granary:Tls:CertificatePath");
            var key = ServiceFacts.Config(member, "Granary:Tls:KeyPath");
            Assert.Equal($"{directory}/ca.crt", ServiceFacts.Config(member, "Granary:Tls:CaPath"));
            Assert.NotNull(certificate);
            Assert.StartsWith(directory + "/", certificate, StringComparison.Ordinal);
            var name = Path.GetFileNameWithoutExtension(certificate);
            Assert.Contains(name, names);
            Assert.Equal($"{directory}/{name}.key", key);
        }
    }

    [Fact]
    public void Healthchecks_SiloProbe_UsesHealthzWhichNeedsNoKey()
    {
        foreach (var silo in OfKind(ServiceKind.Silo))
        {
            var tokens = DockerInstruction.Tokenize(ServiceFacts.ImageStage(silo)?.HealthcheckCommand ?? "");
            var at = tokens.IndexOf("healthcheck.sh");
            Assert.True(at >= 0, $"{silo}: the image's HEALTHCHECK does not run healthcheck.sh");
            // healthcheck.sh PORT [PATH], PATH defaulting to /healthz: the one route open without the admin key.
            Assert.Equal("/healthz", at + 2 < tokens.Count ? tokens[at + 2] : "/healthz");
        }
    }

    [Fact]
    public void Backends_Command_ParsesAndBindsAllInterfacesWithDistinctIds()
    {
        var options = OfKind(ServiceKind.Backend).Select(b => DemoBackendOptions.Parse(b.Command)).ToList();

        Assert.All(options, o => Assert.Equal("0.0.0.0", o.Host));
        Assert.Equal(options.Count, options.Select(o => o.Id).Distinct().Count());
    }

    [Fact]
    public void Gateway_Destinations_PointAtTheBackendServices()
    {
        var gateway = Compose["gateway"];
        var addresses = ServiceFacts.EffectiveEnvironment(gateway)
            .Where(kv => kv.Key.StartsWith("ReverseProxy__Clusters__", StringComparison.Ordinal) && kv.Key.EndsWith("__Address", StringComparison.Ordinal))
            .Select(kv => new Uri(kv.Value)).ToList();
        var backends = OfKind(ServiceKind.Backend).ToDictionary(b => b.Name, b => DemoBackendOptions.Parse(b.Command).Port);

        Assert.Equal(backends.Count, addresses.Count);
        Assert.All(addresses, a =>
        {
            Assert.True(backends.TryGetValue(a.Host, out var port), $"{a}: no backend service named {a.Host}.");
            Assert.Equal(port, a.Port);
        });
        Assert.Equal(backends.Keys.Order(), addresses.Select(a => a.Host).Order());
    }

    [Fact]
    public void Volumes_Named_AreDeclaredAtTheTopLevel()
    {
        Assert.Contains("pgdata", Compose.Volumes);
        Assert.Contains("certs", Compose.Volumes);
    }
}
