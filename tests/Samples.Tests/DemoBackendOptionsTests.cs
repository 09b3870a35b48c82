using Granary.Samples.DemoBackend;

namespace Granary.Samples.Tests;

public sealed class DemoBackendOptionsTests
{
    [Fact]
    public void Parse_NoArguments_UsesDefaults()
    {
        var options = DemoBackendOptions.Parse([]);

        Assert.Equal(new DemoBackendOptions(5001, "backend-5001", 0), options);
    }

    [Fact]
    public void Parse_AllOptions_ReadsThem()
    {
        var options = DemoBackendOptions.Parse(["--port", "5002", "--id=b2", "--latency-ms", "25"]);

        Assert.Equal(new DemoBackendOptions(5002, "b2", 25), options);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--latency-ms", "-1")]
    [InlineData("--bogus", "1")]
    public void Parse_BadOption_Throws(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => DemoBackendOptions.Parse([name, value]));
    }
}
