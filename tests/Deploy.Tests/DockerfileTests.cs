namespace Granary.Deploy.Tests;

public sealed class DockerfileTests
{
    private const string SdkImage = "mcr.microsoft.com/dotnet/sdk:10.0";
    private const string RuntimeImage = "mcr.microsoft.com/dotnet/aspnet:10.0";

    private static List<string> DockerfilePaths() =>
        Directory.GetFiles(RepoPaths.Combine("deploy"), "*.Dockerfile").Select(RepoPaths.Relative).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Dockerfiles() => new(DockerfilePaths());

    [Fact]
    public void Dockerfiles_Deploy_SiloGatewayAndBackendExist()
    {
        var names = DockerfilePaths();

        Assert.Equal(new[] { "deploy/backend.Dockerfile", "deploy/gateway.Dockerfile", "deploy/silo.Dockerfile" }, names);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Stages_MultiStage_BuildOnSdkAndRunOnAspNet(string dockerfile)
    {
        var model = DockerfileModel.Load(RepoPaths.Combine(dockerfile));

        Assert.True(model.Stages.Count >= 2, $"{dockerfile}: expected a build stage and a runtime stage, found {model.Stages.Count} stage(s).");
        Assert.Equal(SdkImage, model.Stages[0].BaseImage);
        Assert.NotNull(model.Stages[0].Name);
        Assert.Equal(RuntimeImage, model.Final.BaseImage);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void RuntimeStage_User_IsNotRoot(string dockerfile)
    {
        var user = DockerfileModel.Load(RepoPaths.Combine(dockerfile)).Final.User;

        Assert.False(string.IsNullOrEmpty(user), $"{dockerfile}: the runtime stage has no USER, so it runs as root.");
        var name = user!.Split(':')[0];
        Assert.DoesNotContain(name, new[] { "root", "0" });
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void CopySources_EveryStage_ExistAndAreNotDockerIgnored(string dockerfile)
    {
        var model = DockerfileModel.Load(RepoPaths.Combine(dockerfile));
        var ignore = DockerIgnore.Load(RepoPaths.Combine(".dockerignore"));
        var problems = new List<string>();

        foreach (var copy in model.Stages.SelectMany(s => s.All("COPY").Concat(s.All("ADD"))))
        {
            if (copy.Flags.ContainsKey("from")) continue;
            var operands = copy.Operands;
            if (operands.Count < 2) problems.Add($"{copy}: needs a source and a destination");
            foreach (var source in operands.Take(operands.Count - 1))
            {
                var relative = source.TrimEnd('/');
                if (!File.Exists(RepoPaths.Combine(relative)) && !Directory.Exists(RepoPaths.Combine(relative)))
                    problems.Add($"{copy}: '{source}' does not exist in the repository");
                else if (ignore.IsExcluded(relative))
                    problems.Add($"{copy}: '{source}' is excluded by .dockerignore");
            }
        }

        Assert.True(problems.Count == 0, $"{dockerfile}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void BuildStage_PublishedProject_HasItsWholeProjectGraphCopied(string dockerfile)
    {
        var model = DockerfileModel.Load(RepoPaths.Combine(dockerfile));
        var build = model.Stages[0];
        var publish = build.All("RUN").Select(r => r.Tokens.ToList())
            .Select(t => (Tokens: t, At: t.IndexOf("publish")))
            .Single(x => x.At > 0 && x.Tokens[x.At - 1] == "dotnet");
        var csproj = publish.Tokens[publish.At + 1];
        Assert.EndsWith(".csproj", csproj, StringComparison.Ordinal);
        Assert.True(File.Exists(RepoPaths.Combine(csproj)), $"{dockerfile}: publishes {csproj}, which does not exist.");

        // The build stage copies directories to the same relative place (src/ -> src/), so relative
        // project references keep working; collect what it copies.
        var copied = new List<string>();
        var workdir = build.All("WORKDIR").Last().Operands[0].TrimEnd('/');
        foreach (var copy in build.All("COPY").Where(c => !c.Flags.ContainsKey("from")))
        {
            var sources = copy.Operands.Take(copy.Operands.Count - 1).Select(s => s.TrimEnd('/')).ToList();
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
        foreach (var project in MsBuildProject.Load(RepoPaths.Combine(csproj)).Closure())
        {
            if (!IsCopied(project.Path)) missing.Add(RepoPaths.Relative(project.Path));
            missing.AddRange(project.ExternalItemDirectories.Where(d => !IsCopied(d)).Select(d => $"{RepoPaths.Relative(d)}/ (items of {Path.GetFileName(project.Path)})"));
        }

        Assert.True(missing.Count == 0, $"{dockerfile}: the build stage does not copy what {csproj} needs:\n" + string.Join('\n', missing.Distinct()));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void RuntimeStage_Entrypoint_RunsThePublishedAssembly(string dockerfile)
    {
        var model = DockerfileModel.Load(RepoPaths.Combine(dockerfile));
        var publish = model.Stages[0].All("RUN").SelectMany(r => r.Tokens).SkipWhile(t => t != "publish").Skip(1).First();
        var assembly = MsBuildProject.Load(RepoPaths.Combine(publish)).AssemblyName;
        var entrypoint = model.Final.All("ENTRYPOINT").Single().Tokens;
        var fromBuild = model.Final.All("COPY").Where(c => c.Flags.TryGetValue("from", out var from) && from == model.Stages[0].Name).ToList();

        Assert.Equal(new[] { "dotnet", assembly + ".dll" }, entrypoint);
        Assert.Contains(fromBuild, c => c.Operands[0] == "/app" && c.Operands[^1] is "./" or "." or "/app" or "/app/");
        Assert.Equal("/app", model.Final.All("WORKDIR").Last().Operands[0].TrimEnd('/'));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void RuntimeStage_Healthcheck_ProbesWithTheCopiedScript(string dockerfile)
    {
        var final = DockerfileModel.Load(RepoPaths.Combine(dockerfile)).Final;
        var command = final.HealthcheckCommand;

        Assert.False(command is null, $"{dockerfile}: the runtime stage has no HEALTHCHECK CMD.");
        Assert.StartsWith("healthcheck.sh ", command, StringComparison.Ordinal);
        Assert.Contains(final.All("COPY"), c => c.Operands is ["deploy/healthcheck.sh", "/usr/local/bin/healthcheck.sh"]);
        Assert.Contains("/healthz", command, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnore_BuildOutputAndLocalState_AreExcluded()
    {
        var ignore = DockerIgnore.Load(RepoPaths.Combine(".dockerignore"));

        Assert.All(new[] { "artifacts/bin/x.dll", ".run/logs/silo.log", ".git/HEAD", "src/Silo/bin/Release/x.dll", "src/Silo/obj/project.assets.json" },
            p => Assert.True(ignore.IsExcluded(p), $"{p} should be excluded from the build context."));
        Assert.All(new[] { "src/Silo/SiloApp.cs", "deploy/sql", "Directory.Build.props", "deploy/healthcheck.sh" },
            p => Assert.False(ignore.IsExcluded(p), $"{p} must stay in the build context."));
    }
}
