using System.Text.RegularExpressions;

namespace Granary.Deploy.Tests;

/// <summary>
/// Static checks of tests/compose/docker-compose.standins.yml, the override tests/compose/run.sh puts on docker-compose.yml:
/// every image of the stack is built on a locally made stand-in, the .NET ones from apps published outside Docker, so a
/// service added to docker-compose.yml cannot be forgotten there (it would pull from a registry the compose test cannot reach).
/// </summary>
public sealed class ComposeStandinsTests
{
    private const string StandinsPath = "tests/compose/docker-compose.standins.yml";
    private const string RunScriptPath = "tests/compose/run.sh";

    private static readonly ComposeFile Compose = ComposeFile.Load(RepoPaths.ComposeFile);
    private static readonly ComposeFile Standins = ComposeFile.Load(RepoPaths.Combine(StandinsPath));
    private static readonly string RunScript = File.ReadAllText(RepoPaths.Combine(RunScriptPath));

    private static bool IsDotNet(ServiceKind kind) => kind is ServiceKind.Silo or ServiceKind.Gateway or ServiceKind.Backend or ServiceKind.Certificates;

    /// <summary>What run.sh publishes where: <c>deploy/prebuilt/NAME</c> → the project (its <c>NAME:path.csproj</c> list).</summary>
    private static Dictionary<string, string> PublishedByRunScript() => Regex.Matches(RunScript, @"\b(?<name>[a-z]+):(?<project>[\w./-]+\.csproj)\b")
        .ToDictionary(m => "deploy/prebuilt/" + m.Groups["name"].Value, m => m.Groups["project"].Value, StringComparer.Ordinal);

    private static bool Exports(string variable) => Regex.IsMatch(RunScript, $@"\bexport\b[^\n]*\b{variable}=");

    [Fact]
    public void Standins_Services_OverrideTheBuildOfEveryBuiltServiceAndNothingElse()
    {
        var built = Compose.Services.Where(s => s.IsBuilt).Select(s => s.Name).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(built);
        Assert.Equal(built, Standins.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(Standins.Services, s => Assert.Equal(new[] { "build" }, s.Keys));
        Assert.Contains($"-f docker-compose.yml -f {StandinsPath}", RunScript, StringComparison.Ordinal);
    }

    [Fact]
    public void Standins_EveryBuiltService_BuildsEveryStageUpToItsTargetOnAStandinImage()
    {
        var problems = new List<string>();
        foreach (var service in Compose.Services.Where(s => s.IsBuilt))
        {
            var standin = Standins.Services.SingleOrDefault(s => s.Name == service.Name);
            if (standin is null)
            {
                problems.Add($"{service}: not overridden in {StandinsPath}");
                continue;
            }
            var model = DockerfileModel.Load(service.DockerfilePath!);
            var targetName = standin.BuildTarget ?? service.BuildTarget;
            var target = targetName is null ? model.Final : model.Stage(targetName);
            if (target is null)
            {
                problems.Add($"{service}: {RepoPaths.Relative(model.Path)} has no stage '{targetName}'");
                continue;
            }
            var args = new Dictionary<string, string>(service.BuildArgs, StringComparer.Ordinal);
            foreach (var (k, v) in standin.BuildArgs) args[k] = v;

            var declared = model.GlobalArgs.Keys
                .Concat(model.Stages.SelectMany(s => s.OwnInstructions.Where(i => i.Keyword == "ARG").SelectMany(DockerStage.ParseArg).Select(a => a.Name)))
                .ToHashSet(StringComparer.Ordinal);
            problems.AddRange(standin.BuildArgs.Keys.Where(k => !declared.Contains(k)).Select(k => $"{service}: build arg {k} is not an ARG of {RepoPaths.Relative(model.Path)}"));

            // The classic builder builds every stage up to the target: each one's base image must be substituted.
            foreach (var stage in model.Stages.Take(target.Index + 1).Where(s => s.Parent is null))
            {
                if (stage.FromArgument is not { } image || !args.TryGetValue(image, out var value))
                {
                    problems.Add($"{service}: stage {stage} (up to target {target.Name ?? "the last stage"}) would pull {stage.BaseImage}");
                    continue;
                }
                var variables = Interpolation.References(value, Interpolation.Escapes.Compose);
                if (variables.Count == 0 || variables.Any(v => !Exports(v.Name)))
                    problems.Add($"{service}: {image}={value}: not a stand-in image variable that {RunScriptPath} exports");
            }

            switch (ComposeFile.KindOf(service))
            {
                case ServiceKind.Postgres:
                    if (!args.ContainsKey("POSTGRES_IMAGE")) problems.Add($"{service}: no POSTGRES_IMAGE build arg");
                    break;
                case var kind when IsDotNet(kind):
                    if (targetName != "prebuilt") problems.Add($"{service}: build target is {(targetName is null ? "the last stage" : $"'{targetName}'")}, not 'prebuilt' (an app published outside Docker)");
                    if (!args.ContainsKey("RUNTIME_IMAGE")) problems.Add($"{service}: no RUNTIME_IMAGE build arg");
                    var appDir = args.TryGetValue("APP_DIR", out var raw) ? Interpolation.Substitute(raw, _ => null, Interpolation.Escapes.Compose).TrimEnd('/') : null;
                    var project = model.PublishStage?.PublishedProject;
                    if (appDir is null || !Regex.IsMatch(appDir, "^deploy/prebuilt/[^/]+$") || appDir == "deploy/prebuilt/none")
                        problems.Add($"{service}: APP_DIR is '{appDir}', not a folder deploy/prebuilt/<app> that run.sh publishes into");
                    else if (PublishedByRunScript().GetValueOrDefault(appDir) != project)
                        problems.Add($"{service}: {RunScriptPath} does not publish {project} (the project of {RepoPaths.Relative(model.Path)}) into {appDir}");
                    else if (DockerIgnore.Load(RepoPaths.Combine(".dockerignore")).IsExcluded(appDir))
                        problems.Add($"{service}: APP_DIR {appDir} is excluded by .dockerignore");
                    break;
                default:
                    problems.Add($"{service}: unknown kind of service, no stand-in rule");
                    break;
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
