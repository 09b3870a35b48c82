using Microsoft.Extensions.FileProviders;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Serves the dashboard page (plain HTML/CSS/JS, no build step) at <c>/dashboard</c> from
/// <c>wwwroot/dashboard</c> next to the silo's assembly (<see cref="AppContext.BaseDirectory"/>; the
/// files are copied to the build and publish output), so it works whatever the working directory.
/// <c>/dashboard</c> redirects to <c>/dashboard/</c>, which serves <c>index.html</c>. Responses carry
/// <c>Cache-Control: no-cache</c> (revalidated with ETag/Last-Modified).
/// </summary>
internal static class DashboardStaticFiles
{
    public const string RequestPath = "/dashboard";

    /// <summary>The folder served: <c>{AppContext.BaseDirectory}/wwwroot/dashboard</c>.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot", "dashboard");

    public static IApplicationBuilder UseDashboardFiles(this IApplicationBuilder app)
    {
        IFileProvider files = Directory.Exists(Root) ? new PhysicalFileProvider(Root) : new NullFileProvider();
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = RequestPath, FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = RequestPath,
            FileProvider = files,
            OnPrepareResponse = static c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
