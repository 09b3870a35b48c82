using Granary.Silo;

// The silo host: see SiloApp for configuration keys and SiloEndpoints for the HTTP routes.
var app = SiloApp.Create(args);
await app.RunAsync().ConfigureAwait(false);
