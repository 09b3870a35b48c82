namespace Granary.Deploy.Tests;

/// <summary>The README documents what an operator sets: every variable of the compose file and the images.</summary>
public sealed class ReadmeTests
{
    private static string Section(string heading)
    {
        var text = File.ReadAllText(RepoPaths.Combine("README.md"));
        var start = text.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '## {heading}' section.");
        var end = text.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    [Fact]
    public void DeploymentSection_EveryEnvironmentVariable_IsDocumented()
    {
        var compose = ComposeFile.Load(RepoPaths.ComposeFile);
        var section = Section("Deployment");
        var variables = compose.Services.SelectMany(s => ServiceFacts.EffectiveEnvironment(s).Keys)
            .Select(v => v.StartsWith("ReverseProxy__", StringComparison.Ordinal) ? "ReverseProxy__" : v)
            .Distinct(StringComparer.Ordinal);

        var missing = variables.Where(v => !section.Contains(v, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "README.md '## Deployment' does not mention: " + string.Join(", ", missing));
    }

    [Fact]
    public void MultiSiloSection_RunScript_IsDocumented()
    {
        var section = Section("Running a multi-silo cluster");

        Assert.Contains("./run.sh --silos", section, StringComparison.Ordinal);
        Assert.Contains("kill", section, StringComparison.Ordinal);
    }
}
