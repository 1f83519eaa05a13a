using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Hosting;

/// <summary>With <c>--verbose</c>: one log line per request (method, path, status, time).</summary>
public sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    /// <summary>Logs the request after it completes.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try { await next(context); }
        finally
        {
            logger.LogInformation("{Method} {Path}{Query} -> {Status} ({Elapsed:F1} ms)", context.Request.Method, context.Request.Path,
                context.Request.QueryString, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
