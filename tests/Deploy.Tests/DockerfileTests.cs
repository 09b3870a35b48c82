namespace Granary.Deploy.Tests;

public sealed class DockerfileTests
{
    private const string SdkImage = "mcr.microsoft.com/dotnet/sdk:10.0";
    private const string RuntimeImage = "mcr.microsoft.com/dotnet/aspnet:10.0";
    private const string SdkArgument = "SDK_IMAGE";
    private const string RuntimeArgument = "RUNTIME_IMAGE";
    private const string PrebuiltTarget = "prebuilt";
    private const string PostgresDockerfile = "deploy/postgres.Dockerfile";

    /// <summary>The .NET app images (publish on the SDK, run on ASP.NET); every other Dockerfile in deploy/ is PostgreSQL's.</summary>
    private static readonly string[] DotNetDockerfilePaths = ["deploy/backend.Dockerfile", "deploy/gateway.Dockerfile", "deploy/silo.Dockerfile"];

    private static List<string> DockerfilePaths() =>
        Directory.GetFiles(RepoPaths.Combine("deploy"), "*.Dockerfile").Select(RepoPaths.Relative).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Dockerfiles() => new(DockerfilePaths());

    public static TheoryData<string> DotNetDockerfiles() => new(DotNetDockerfilePaths);

    /// <summary>Every Dockerfile the compose test builds: deploy/'s and the stand-ins' (tests/compose/standins).</summary>
    public static TheoryData<string> ClassicBuilderDockerfiles() => new(DockerfilePaths().Concat(
        Directory.GetFiles(RepoPaths.Combine("tests/compose/standins"), "*Dockerfile").Select(RepoPaths.Relative).Order(StringComparer.Ordinal)));

    private static DockerfileModel Load(string dockerfile) => DockerfileModel.Load(RepoPaths.Combine(dockerfile));

    /// <summary>The images users and the compose test build: the default target (the last stage) and <c>--target prebuilt</c>.</summary>
    private static IEnumerable<DockerStage> RuntimeTargets(DockerfileModel model) =>
        model.Stage(PrebuiltTarget) is { } prebuilt ? [model.Final, prebuilt] : [model.Final];

    private static DockerStage BuildStage(DockerfileModel model, string dockerfile) =>
        model.PublishStage ?? throw new Xunit.Sdk.XunitException($"{dockerfile}: no stage runs dotnet publish.");

    [Fact]
    public void Dockerfiles_Deploy_SiloGatewayBackendAndPostgresExist()
    {
        var names = DockerfilePaths();

        Assert.Equal(new[] { "deploy/backend.Dockerfile", "deploy/gateway.Dockerfile", "deploy/postgres.Dockerfile", "deploy/silo.Dockerfile" }, names);
        Assert.Equal(names, DotNetDockerfilePaths.Append(PostgresDockerfile).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void BaseImages_EveryStageFromAnImage_IsAGlobalBuildArgumentWithADefault(string dockerfile)
    {
        var model = Load(dockerfile);
        var problems = new List<string>();

        // FROM ${NAME} with a global ARG NAME=default: `--build-arg NAME=...` (or compose's build.args) substitutes the image.
        foreach (var stage in model.Stages.Where(s => s.Parent is null))
        {
            if (stage.FromArgument is not { } argument) problems.Add($"stage {stage}: FROM names an image, not a build argument");
            else if (string.IsNullOrEmpty(model.GlobalArgs.GetValueOrDefault(argument)))
                problems.Add($"stage {stage}: {argument} is not a global ARG (before the first FROM) with a default");
        }

        Assert.True(problems.Count == 0, $"{dockerfile}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void Stages_BuildAndRuntime_RunOnTheSdkAndAspNetDefaults(string dockerfile)
    {
        var model = Load(dockerfile);
        var build = BuildStage(model, dockerfile);

        Assert.Equal(SdkImage, model.GlobalArgs.GetValueOrDefault(SdkArgument));
        Assert.Equal(RuntimeImage, model.GlobalArgs.GetValueOrDefault(RuntimeArgument));
        Assert.NotNull(build.Name);
        Assert.Equal(SdkArgument, build.Root.FromArgument);
        Assert.Equal(SdkImage, build.BaseImage);
        Assert.Equal(RuntimeArgument, model.Final.Root.FromArgument);
        Assert.Equal(RuntimeImage, model.Final.BaseImage);
        Assert.False(model.Final.DerivesFrom(build), $"{dockerfile}: the final stage builds on {build}: the image would carry the SDK and the sources.");
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void Prebuilt_Target_SharesTheFinalStagesRuntimeBaseAndCopiesAppDir(string dockerfile)
    {
        var model = Load(dockerfile);
        var build = BuildStage(model, dockerfile);
        var final = model.Final;
        var prebuilt = model.Stage(PrebuiltTarget);
        var ignore = DockerIgnore.Load(RepoPaths.Combine(".dockerignore"));

        Assert.True(prebuilt is not null, $"{dockerfile}: no stage '{PrebuiltTarget}' (tests/compose/docker-compose.standins.yml builds it).");
        Assert.NotSame(prebuilt, final);
        // One runtime for both ways of getting the app: the two targets differ by where the app comes from only.
        Assert.True(final.Parent is not null && ReferenceEquals(prebuilt!.Parent, final.Parent),
            $"{dockerfile}: '{PrebuiltTarget}' (FROM {prebuilt!.From}) and the final stage (FROM {final.From}) do not build on one runtime stage.");
        foreach (var stage in new[] { prebuilt, final })
        {
            var extra = stage.OwnInstructions.Where(i => i.Keyword is not ("ARG" or "COPY")).ToList();
            Assert.True(extra.Count == 0, $"{dockerfile}: stage {stage} does more than copy the app: {string.Join("; ", extra)}");
        }

        // The classic builder builds every stage before the target: `--target prebuilt` must need no SDK image.
        Assert.True(prebuilt.Index < build.Index, $"{dockerfile}: '{PrebuiltTarget}' comes after {build}, so building it would need {SdkArgument}.");
        Assert.All(model.Stages.Take(prebuilt.Index + 1), s => Assert.Equal(RuntimeArgument, s.Root.FromArgument));

        var copy = Assert.Single(prebuilt.OwnInstructions, i => i.Keyword == "COPY");
        Assert.False(copy.Flags.ContainsKey("from"), $"{dockerfile}: {copy} copies from another stage or image.");
        var source = Assert.Single(copy.Operands.SkipLast(1));
        Assert.Equal("APP_DIR", Interpolation.References(source, Interpolation.Escapes.Dockerfile).Select(r => r.Name).SingleOrDefault());
        var fromBuild = final.OwnInstructions.Single(c => c.Keyword == "COPY" && c.Flags.GetValueOrDefault("from") == build.Name);
        Assert.Equal(fromBuild.Operands[^1], copy.Operands[^1]);

        // A plain `docker build` passes through `prebuilt` too: APP_DIR's default must be a folder of the build context.
        var unset = new List<string>();
        var folder = prebuilt.Expand(source, copy, unset).TrimEnd('/');
        Assert.Empty(unset);
        Assert.Matches("^deploy/prebuilt/[^/]+$", folder);
        Assert.True(Directory.Exists(RepoPaths.Combine(folder)), $"{dockerfile}: APP_DIR's default '{folder}' is not a folder of the repository.");
        Assert.False(ignore.IsExcluded(folder), $"{dockerfile}: APP_DIR's default '{folder}' is excluded by .dockerignore.");
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void RuntimeStage_User_IsNotRoot(string dockerfile)
    {
        foreach (var target in RuntimeTargets(Load(dockerfile)))
        {
            var user = target.User;
            Assert.False(string.IsNullOrEmpty(user), $"{dockerfile}: stage {target} has no USER, so it runs as root.");
            var name = user!.Split(':')[0];
            Assert.DoesNotContain(name, new[] { "root", "0" });
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void CopySources_EveryStage_ExistAndAreNotDockerIgnored(string dockerfile)
    {
        var model = Load(dockerfile);
        var ignore = DockerIgnore.Load(RepoPaths.Combine(".dockerignore"));
        var problems = new List<string>();

        // Each stage's own COPY/ADD, its sources expanded with the ARGs in scope there (their defaults: a plain build).
        foreach (var stage in model.Stages)
        {
            foreach (var copy in stage.OwnInstructions.Where(i => i.Keyword is "COPY" or "ADD"))
            {
                if (copy.Flags.ContainsKey("from")) continue;
                var operands = copy.Operands;
                if (operands.Count < 2) problems.Add($"{copy}: needs a source and a destination");
                foreach (var source in operands.Take(operands.Count - 1))
                {
                    var unset = new List<string>();
                    var relative = stage.Expand(source, copy, unset).TrimEnd('/');
                    if (unset.Count > 0) problems.Add($"{copy}: '{source}': {string.Join(", ", unset)} has no value in stage {stage} (declare ARG NAME=default there)");
                    else if (relative.Length == 0 || (!File.Exists(RepoPaths.Combine(relative)) && !Directory.Exists(RepoPaths.Combine(relative))))
                        problems.Add($"{copy}: '{source}' ('{relative}') does not exist in the repository");
                    else if (ignore.IsExcluded(relative))
                        problems.Add($"{copy}: '{source}' ('{relative}') is excluded by .dockerignore");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{dockerfile}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void BuildStage_PublishedProject_HasItsWholeProjectGraphCopied(string dockerfile)
    {
        var model = Load(dockerfile);
        var build = BuildStage(model, dockerfile);
        var csproj = build.PublishedProject;
        Assert.EndsWith(".csproj", csproj, StringComparison.Ordinal);
        Assert.True(File.Exists(RepoPaths.Combine(csproj!)), $"{dockerfile}: publishes {csproj}, which does not exist.");

        // The build stage copies directories to the same relative place (src/ -> src/), so relative
        // project references keep working; collect what it copies.
        var copied = new List<string>();
        var workdir = build.All("WORKDIR").Last().Operands[0].TrimEnd('/');
        foreach (var copy in build.All("COPY").Where(c => !c.Flags.ContainsKey("from")))
        {
            var sources = copy.Operands.Take(copy.Operands.Count - 1).Select(s => build.Expand(s, copy).TrimEnd('/')).ToList();
            var destination = copy.Operands[^1];
            var mirrored = destination is "./" or "." or "/src/" || destination.TrimEnd('/') == sources.Single();
            Assert.True(mirrored, $"{dockerfile}: {copy} does not keep the repository layout under {workdir}.");
            if (destination is "./" or ".") Assert.All(sources, s => Assert.DoesNotContain('/', s));
            copied.AddRange(sources);
        }

        bool IsCopied(string fullPath)
        {
            var relative = RepoPaths.Relative(fullPath);
            return copied.Any(c => relative == c || relative.StartsWith(c + "/", StringComparison.Ordinal));
        }

        var missing = new List<string>();
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props" })
        {
            if (!IsCopied(RepoPaths.Combine(file))) missing.Add(file);
        }
        foreach (var project in MsBuildProject.Load(RepoPaths.Combine(csproj!)).Closure())
        {
            if (!IsCopied(project.Path)) missing.Add(RepoPaths.Relative(project.Path));
            missing.AddRange(project.ExternalItemDirectories.Where(d => !IsCopied(d)).Select(d => $"{RepoPaths.Relative(d)}/ (items of {Path.GetFileName(project.Path)})"));
        }

        Assert.True(missing.Count == 0, $"{dockerfile}: the build stage does not copy what {csproj} needs:\n" + string.Join('\n', missing.Distinct()));
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void RuntimeStage_Entrypoint_RunsThePublishedAssembly(string dockerfile)
    {
        var model = Load(dockerfile);
        var build = BuildStage(model, dockerfile);
        var assembly = MsBuildProject.Load(RepoPaths.Combine(build.PublishedProject!)).AssemblyName;
        var output = build.PublishOutput;
        var fromBuild = model.Final.All("COPY").Where(c => c.Flags.TryGetValue("from", out var from) && from == build.Name).ToList();

        Assert.Equal("/app", output?.TrimEnd('/'));
        Assert.Contains(fromBuild, c => c.Operands[0].TrimEnd('/') == output!.TrimEnd('/') && c.Operands[^1] is "./" or "." or "/app" or "/app/");
        foreach (var target in RuntimeTargets(model))
        {
            Assert.Equal(new[] { "dotnet", assembly + ".dll" }, target.All("ENTRYPOINT").LastOrDefault()?.Tokens);
            Assert.Equal("/app", target.All("WORKDIR").LastOrDefault()?.Operands[0].TrimEnd('/'));
        }
    }

    [Theory]
    [MemberData(nameof(DotNetDockerfiles))]
    public void RuntimeStage_Healthcheck_ProbesWithTheCopiedScript(string dockerfile)
    {
        foreach (var target in RuntimeTargets(Load(dockerfile)))
        {
            var command = target.HealthcheckCommand;

            Assert.False(command is null, $"{dockerfile}: stage {target} has no HEALTHCHECK CMD.");
            Assert.StartsWith("healthcheck.sh ", command, StringComparison.Ordinal);
            Assert.Contains(target.All("COPY"), c => c.Operands is ["deploy/healthcheck.sh", "/usr/local/bin/healthcheck.sh"]);
            Assert.Contains("/healthz", command, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Postgres_Dockerfile_IsTheOfficialPostgres17ByABuildArgument()
    {
        var model = Load(PostgresDockerfile);

        // The official image as it is: the compose file relies on its POSTGRES_* variables, data folder and pg_isready.
        var stage = Assert.Single(model.Stages);
        Assert.Equal("POSTGRES_IMAGE", stage.FromArgument);
        Assert.StartsWith("postgres:17", stage.BaseImage, StringComparison.Ordinal);
        Assert.True(stage.OwnInstructions.Count == 0, $"{PostgresDockerfile}: adds to the official image: {string.Join("; ", stage.OwnInstructions)}");
        Assert.Null(model.PublishStage);
    }

    /// <summary>Options the classic builder (dockerd 20.10 with DOCKER_BUILDKIT=0) knows; any other needs BuildKit.</summary>
    private static readonly Dictionary<string, string[]> ClassicFlags = new(StringComparer.Ordinal)
    {
        ["FROM"] = ["platform"],
        ["COPY"] = ["from", "chown"],
        ["ADD"] = ["chown"],
        ["HEALTHCHECK"] = ["interval", "timeout", "start-period", "retries"],
    };

    [Theory]
    [MemberData(nameof(ClassicBuilderDockerfiles))]
    public void Dockerfiles_ClassicBuilder_UseNoBuildKitOnlySyntax(string dockerfile)
    {
        var model = Load(dockerfile);
        var problems = new List<string>();

        if (model.Directives.TryGetValue("syntax", out var syntax)) problems.Add($"# syntax={syntax}: a BuildKit frontend directive");
        foreach (var i in model.AllInstructions)
        {
            var allowed = ClassicFlags.GetValueOrDefault(i.Keyword, []);
            problems.AddRange(i.Flags.Keys.Where(f => !allowed.Contains(f)).Select(f => $"{i}: --{f} needs BuildKit"));
            if (i.Keyword is "RUN" or "COPY" or "ADD" && i.Arguments.Contains("<<", StringComparison.Ordinal))
                problems.Add($"{i}: a heredoc needs BuildKit");
        }

        Assert.True(problems.Count == 0, $"{dockerfile}: dockerd 20.10 builds without BuildKit here:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void DockerIgnore_BuildOutputAndLocalState_AreExcluded()
    {
        var ignore = DockerIgnore.Load(RepoPaths.Combine(".dockerignore"));

        Assert.All(new[] { "artifacts/bin/x.dll", ".run/logs/silo.log", ".git/HEAD", "src/Silo/bin/Release/x.dll", "src/Silo/obj/project.assets.json" },
            p => Assert.True(ignore.IsExcluded(p), $"{p} should be excluded from the build context."));
        Assert.All(new[] { "src/Silo/SiloApp.cs", "deploy/sql", "Directory.Build.props", "deploy/healthcheck.sh", "deploy/prebuilt/none", "deploy/prebuilt/silo" },
            p => Assert.False(ignore.IsExcluded(p), $"{p} must stay in the build context."));
    }
}
