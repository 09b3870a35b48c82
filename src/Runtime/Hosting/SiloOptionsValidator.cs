using Microsoft.Extensions.Options;

namespace Granary.Runtime.Hosting;

/// <summary>Validates <see cref="SiloOptions"/> at start-up (<see cref="SiloOptions.Validate"/>); every problem is listed in the failure.</summary>
internal sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var problems = options.Validate().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
