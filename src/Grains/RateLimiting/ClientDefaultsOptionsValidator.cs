using Granary.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Granary.Grains.RateLimiting;

/// <summary>Checks <see cref="ClientDefaultsOptions"/>, naming the property and its limit.</summary>
internal sealed class ClientDefaultsOptionsValidator : IValidateOptions<ClientDefaultsOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientDefaultsOptions options)
    {
        if (options.DefaultCapacity is < 1 or > ClientLimits.MaxCapacity)
            return ValidateOptionsResult.Fail($"{nameof(ClientDefaultsOptions)}.{nameof(options.DefaultCapacity)} is {options.DefaultCapacity}; it must be from 1 to {ClientLimits.MaxCapacity} tokens.");
        if (!(options.DefaultRatePerSec > 0 && options.DefaultRatePerSec <= ClientLimits.MaxRatePerSec))
            return ValidateOptionsResult.Fail($"{nameof(ClientDefaultsOptions)}.{nameof(options.DefaultRatePerSec)} is {options.DefaultRatePerSec}; it must be greater than 0 and at most {ClientLimits.MaxRatePerSec} tokens/s.");
        return ValidateOptionsResult.Success;
    }
}
