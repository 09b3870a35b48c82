using Granary.Grains.Contracts;
using Granary.Silo.Admin;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the admin API's body parser directly (fast): it never throws, and what it accepts is
/// valid (client id by <see cref="ClientIdRules"/>, capacity 1–1e9, rate in (0, 1e9]); what it
/// rejects carries a message.
/// </summary>
public sealed class AdminRequestReaderFuzzTests(ITestOutputHelper output, FuzzSink sink) : IClassFixture<FuzzSink>
{
    [Fact]
    public void TryParseFields_RandomAndMutatedJson_NeverThrowsAndAcceptsOnlyValidFields()
    {
        var report = FuzzRunner.Run(output, sink, "admin JSON reader", context =>
        {
            var random = context.NewRandom();
            var body = JsonSamples.BodyBytes(ref random);
            context.Input = body;
            if (AdminRequestReader.TryParseFields(body, out var fields, out var error))
            {
                if (error is not null)
                    throw new FuzzPropertyException($"Accepted with an error: {error}");
                if (fields.ClientId is not null && !ClientIdRules.IsValid(fields.ClientId))
                    throw new FuzzPropertyException($"Accepted client id '{fields.ClientId}'.");
                if (fields.Capacity is { } capacity && capacity is < 1 or > ClientLimits.MaxCapacity)
                    throw new FuzzPropertyException($"Accepted capacity {capacity}.");
                if (fields.RatePerSec is { } rate && !(rate > 0 && rate <= ClientLimits.MaxRatePerSec))
                    throw new FuzzPropertyException($"Accepted rate {rate}.");
            }
            else if (string.IsNullOrWhiteSpace(error))
            {
                throw new FuzzPropertyException("Rejected without a message.");
            }
        });
        report.AssertClean();
    }

    /// <summary>
    /// Regressions found by the fuzzer (seed 20261121): invalid UTF-8 or an unpaired surrogate escape in a
    /// string passed <see cref="System.Text.Json.JsonDocument.Parse(ReadOnlyMemory{byte}, System.Text.Json.JsonDocumentOptions)"/>
    /// and then threw InvalidOperationException on reading the name or value (a 500 over HTTP).
    /// </summary>
    [Theory]
    [InlineData("7B226361706163697479223A3530312C22613AF8223A7B226B223A302E3038393737333332393737323239363733347D2C222DDF9EFE5F626161E183A140396362625A592E40E19E9A30223A31363834332E32333132353330333636352C226361706163697479223A3439347D")]
    [InlineData("7B2261F8223A317D")] // {"a\xF8":1}: raw invalid byte in a field name
    [InlineData("7B22636C69656E745F6964223A22FF227D")] // {"client_id":"\xFF"}
    [InlineData("7B22636C69656E745F6964223A225C7564383030227D")] // {"client_id":"\ud800"}
    [InlineData("7B225C7564633030223A317D")] // {"\udc00":1}
    public void TryParseFields_InvalidUtf8InString_RejectsAsMalformedJson(string hex)
    {
        var ok = AdminRequestReader.TryParseFields(Convert.FromHexString(hex), out _, out var error);

        Assert.False(ok);
        Assert.StartsWith("Malformed JSON", error);
    }
}
