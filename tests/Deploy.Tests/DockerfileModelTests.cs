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

    private static readonly string[] MultiStage =
    [
        "# syntax=docker/dockerfile:1",
        "# a comment",
        "ARG SDK_IMAGE=sdk:1",
        "ARG RUNTIME_IMAGE=\"runtime:2\"",
        "ARG UNSET",
        "FROM ${RUNTIME_IMAGE} AS base",
        "WORKDIR /app",
        "ENV A=1",
        "USER app",
        "HEALTHCHECK CMD probe 80",
        "ENTRYPOINT [\"dotnet\", \"App.dll\"]",
        "FROM base AS prebuilt",
        "ARG APP_DIR=deploy/prebuilt/none",
        "COPY ${APP_DIR}/ ./",
        "FROM $SDK_IMAGE AS build",
        "ARG SDK_IMAGE",
        "COPY $SDK_IMAGE/x ${NOT_DECLARED}/y ./",
        "RUN dotnet restore && dotnet publish src/App.csproj -c Release -o /out && echo done",
        "FROM base AS runtime",
        "ENV B=2",
        "COPY --from=build /out ./",
    ];

    [Fact]
    public void Parse_GlobalArgs_DefaultsKeptAndExpandedInFrom()
    {
        var model = DockerfileModel.Parse("test", MultiStage);

        Assert.Equal(new Dictionary<string, string?> { ["SDK_IMAGE"] = "sdk:1", ["RUNTIME_IMAGE"] = "runtime:2", ["UNSET"] = null }, model.GlobalArgs);
        Assert.Equal(new[] { "${RUNTIME_IMAGE}", "base", "$SDK_IMAGE", "base" }, model.Stages.Select(s => s.From));
        Assert.Equal(new[] { "runtime:2", "runtime:2", "sdk:1", "runtime:2" }, model.Stages.Select(s => s.BaseImage));
        Assert.Equal(new[] { "RUNTIME_IMAGE", null, "SDK_IMAGE", null }, model.Stages.Select(s => s.FromArgument));
        Assert.Equal("docker/dockerfile:1", model.Directives["syntax"]);
    }

    [Fact]
    public void Parse_BuildArgs_OverrideGlobalAndStageDefaults()
    {
        var model = DockerfileModel.Parse("test", MultiStage, new Dictionary<string, string> { ["RUNTIME_IMAGE"] = "standin:1", ["APP_DIR"] = "deploy/prebuilt/app" });
        var prebuilt = model.Stage("prebuilt")!;
        var copy = prebuilt.OwnInstructions.Single(i => i.Keyword == "COPY");

        Assert.Equal("standin:1", model.Final.BaseImage);
        Assert.Equal("sdk:1", model.PublishStage!.BaseImage);
        Assert.Equal("deploy/prebuilt/app/", prebuilt.Expand(copy.Operands[0], copy));
    }

    [Fact]
    public void Parse_FromAnEarlierStage_InheritsItsBaseImageAndInstructions()
    {
        var model = DockerfileModel.Parse("test", MultiStage);
        var (base_, prebuilt, build, final) = (model.Stages[0], model.Stages[1], model.Stages[2], model.Final);

        Assert.Same(model.Stage("runtime"), final);
        Assert.Same(base_, final.Parent);
        Assert.Same(base_, prebuilt.Parent);
        Assert.Same(base_, final.Root);
        Assert.Null(build.Parent);
        Assert.True(final.DerivesFrom(base_));
        Assert.False(final.DerivesFrom(build));
        Assert.False(final.DerivesFrom(prebuilt));
        // Effective: what `docker build --target runtime` makes, the base stage's settings included.
        Assert.Equal("app", final.User);
        Assert.Equal("probe 80", final.HealthcheckCommand);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, final.Environment);
        Assert.Equal(new[] { "dotnet", "App.dll" }, final.All("ENTRYPOINT").Single().Tokens);
        Assert.Equal(new[] { "ENV", "COPY" }, final.OwnInstructions.Select(i => i.Keyword));
        Assert.Equal(base_.Instructions.Count + 2, final.Instructions.Count);
        Assert.Equal("app", prebuilt.User);
        Assert.Null(build.User);
        Assert.Empty(build.Environment);
    }

    [Fact]
    public void Parse_FromNamesALaterStageOrAnImage_DoesNotInherit()
    {
        var model = DockerfileModel.Parse("test", ["FROM later AS first", "USER app", "FROM ubuntu:24.04 AS later", "FROM First", "RUN x"]);

        // An image named like a later stage is an image; stage names match case-insensitively.
        Assert.Null(model.Stages[0].Parent);
        Assert.Equal("later", model.Stages[0].BaseImage);
        Assert.Same(model.Stages[0], model.Final.Parent);
        Assert.Equal("later", model.Final.BaseImage);
        Assert.Equal("app", model.Final.User);
        Assert.Null(model.Stages[1].User);
    }

    [Fact]
    public void PublishStage_Anywhere_IsTheOneRunningDotnetPublish()
    {
        var model = DockerfileModel.Parse("test", MultiStage);

        Assert.Same(model.Stage("build"), model.PublishStage);
        Assert.Equal(new[] { "dotnet", "publish", "src/App.csproj", "-c", "Release", "-o", "/out" }, model.PublishStage!.PublishCommand);
        Assert.Equal("src/App.csproj", model.PublishStage.PublishedProject);
        Assert.Equal("/out", model.PublishStage.PublishOutput);
        // The final stage does not inherit from the build stage, so it does not publish.
        Assert.Null(model.Final.PublishCommand);
        Assert.Null(DockerfileModel.Parse("test", ["ARG IMAGE=postgres:17", "FROM ${IMAGE}"]).PublishStage);
    }

    [Fact]
    public void Expand_StageArgs_ScopedAsTheClassicBuilderDoes()
    {
        var model = DockerfileModel.Parse("test", MultiStage);
        var build = model.PublishStage!;
        var copy = build.OwnInstructions.Single(i => i.Keyword == "COPY");
        var prebuiltCopy = model.Stage("prebuilt")!.OwnInstructions.Single(i => i.Keyword == "COPY");
        var unset = new List<string>();

        // A bare ARG takes the global value; an undeclared global ARG is not visible in a stage (expands to nothing).
        Assert.Equal("sdk:1/x", build.Expand(copy.Operands[0], copy, unset));
        Assert.Empty(unset);
        Assert.Equal("/y", build.Expand(copy.Operands[1], copy, unset));
        Assert.Equal(new[] { "NOT_DECLARED" }, unset);
        Assert.Equal("deploy/prebuilt/none/", model.Stage("prebuilt")!.Expand(prebuiltCopy.Operands[0], prebuiltCopy));
        Assert.Equal(new Dictionary<string, string?> { ["SDK_IMAGE"] = "sdk:1" }, build.ArgsAt(copy));
        // ARGs are visible after their declaration only, and in their own stage only.
        Assert.Empty(model.Stage("prebuilt")!.ArgsAt(model.Stage("prebuilt")!.OwnInstructions[0]));
        Assert.Empty(model.Final.ArgsAt(model.Final.OwnInstructions[^1]));
        // An inherited instruction is expanded in the scope of the stage that declares it.
        var inherited = model.Final.Instructions[0];
        Assert.Empty(model.Final.ArgsAt(inherited));
    }

    [Theory]
    [InlineData("${A}", "a")]
    [InlineData("$A/x", "a/x")]
    [InlineData("${A:-d}", "a")]
    [InlineData("${UNSET:-d}", "d")]
    [InlineData("${UNSET}x", "x")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData(@"\$A", "$A")]
    public void Substitute_DockerfileForms_AsDockerDoes(string text, string expected)
    {
        Assert.Equal(expected, Interpolation.Substitute(text, n => n == "A" ? "a" : null, Interpolation.Escapes.Dockerfile));
    }

    [Fact]
    public void Parse_DirectiveAfterAComment_IsAComment()
    {
        var model = DockerfileModel.Parse("test", ["# a comment", "# syntax=docker/dockerfile:1", "FROM x"]);

        Assert.Empty(model.Directives);
    }
}
