namespace Granary.Silo;

/// <summary>
/// The silo's configuration is invalid (thrown by <see cref="SiloApp.Create"/> before anything starts). The message
/// starts with <c>Invalid silo configuration: </c> and names every bad key found, with its valid values; the silo's
/// entry point prints it as one line and exits with code 2.
/// </summary>
/// <param name="problems">Each problem found, one sentence each.</param>
internal sealed class SiloConfigurationException(IEnumerable<string> problems)
    : InvalidOperationException("Invalid silo configuration: " + string.Join(" ", problems));
