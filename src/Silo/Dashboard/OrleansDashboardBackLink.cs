using System.Text;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Adds a link back to Granary's <c>/dashboard</c> to the HTML page of Orleans's dashboard (<c>/orleans/</c>),
/// which Orleans's package serves as a fixed embedded asset: a <c>GET</c> answered with <c>text/html</c> under
/// <see cref="SiloApp.OrleansDashboardPath"/> is buffered and the link (<see cref="LinkHtml"/>, fixed at the top
/// right, id <c>granary-dashboard-link</c>) is inserted by a script before <c>&lt;/body&gt;</c> (the page is asked for
/// uncompressed). Other responses (JSON, scripts) pass through untouched. The page is small (tens of KB) and served once per visit.
/// </summary>
internal sealed class OrleansDashboardBackLink(RequestDelegate next)
{
    /// <summary>
    /// What is inserted into Orleans's page: a script that appends the link to the <c>&lt;html&gt;</c> element, outside
    /// <c>&lt;body id="body"&gt;</c>, which Orleans's app renders into (a link placed in the body would be replaced).
    /// </summary>
    public const string LinkHtml =
        "<script>(function(){var a=document.createElement('a');a.id='granary-dashboard-link';a.href='/dashboard/';" +
        "a.title=\"Granary's dashboard: backends, clients, gateways\";a.textContent='\u2190 Granary dashboard';" +
        "a.style.cssText='position:fixed;top:8px;right:12px;z-index:10000;padding:4px 10px;border-radius:4px;" +
        "background:#1f6feb;color:#fff;font:13px sans-serif;text-decoration:none';" +
        "document.documentElement.appendChild(a);})();</script>";

    private static readonly byte[] BodyEnd = "</body>"u8.ToArray();

    /// <summary>Runs the rest of the pipeline, rewriting Orleans's HTML page on the way out.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Path.StartsWithSegments(SiloApp.OrleansDashboardPath))
        {
            await next(context);
            return;
        }
        if (Path.HasExtension(context.Request.Path.Value) && !context.Request.Path.Value!.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
        {
            await next(context); // scripts, styles, JSON API: untouched
            return;
        }
        // Orleans serves its page compressed when the browser accepts it; ask for the plain page to edit it.
        context.Request.Headers.AcceptEncoding = default;
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var at = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
            && context.Response.Headers.ContentEncoding.Count == 0
            ? bytes.Span.LastIndexOf(BodyEnd) : -1;
        if (at < 0)
        {
            await original.WriteAsync(bytes, context.RequestAborted);
            return;
        }
        var link = Encoding.UTF8.GetBytes(LinkHtml);
        context.Response.ContentLength = bytes.Length + link.Length;
        await original.WriteAsync(bytes[..at], context.RequestAborted);
        await original.WriteAsync(link, context.RequestAborted);
        await original.WriteAsync(bytes[at..], context.RequestAborted);
    }
}
