namespace Granary.Deploy.Tests;

public sealed class DockerfileModelTests
{
    [Fact]
    public void Parse_ContinuationsCommentsAndStages_SplitsAsDockerDoes()
    {
        var model = DockerfileModel.Parse("test", [
            "# syntax=docker/dockerfile:1",
            "FROM sdk AS build",
            "RUN a \\",
            "    b",
            "FROM runtime",
            "ENV A=\"\" \\",
            "    B=http://x:1",
            "USER app",
            "HEALTHCHECK --interval=5s CMD healthcheck.sh 9090 /healthz",
        ]);

        Assert.Equal(2, model.Stages.Count);
        Assert.Equal("build", model.Stages[0].Name);
        Assert.Equal(new[] { "a", "b" }, model.Stages[0].All("RUN").Single().Tokens);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "", ["B"] = "http://x:1" }, model.Final.Environment);
        Assert.Equal("app", model.Final.User);
        Assert.Equal("healthcheck.sh 9090 /healthz", model.Final.HealthcheckCommand);
    }

    [Fact]
    public void User_NoUserInstruction_IsNull()
    {
        Assert.Null(DockerfileModel.Parse("test", ["FROM x", "RUN y"]).Final.User);
    }
}
