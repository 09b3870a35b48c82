using Microsoft.Extensions.Options;

namespace Granary.Runtime.Hosting;

/// <summary>Fails start-up when <see cref="ClientOptions.Validate"/> reports a problem.</summary>
internal sealed class ClientOptionsValidator : IValidateOptions<ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientOptions options)
    {
        var problems = options.Validate().ToList();
        foreach (var silo in options.ResolvedSilos)
        {
            try
            {
                Membership.SiloAddress.Parse(silo);
            }
            catch (FormatException e)
            {
                problems.Add($"{nameof(ClientOptions.Silos)}: {e.Message}");
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
