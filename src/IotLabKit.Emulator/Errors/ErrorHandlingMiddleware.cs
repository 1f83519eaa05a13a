using IotLabKit.Emulator.Core;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Errors;

/// <summary>
/// Outermost middleware: stamps <c>x-ms-request-id</c>, turns <see cref="HubException"/> into IoT Hub's error
/// response, anything unexpected into a logged 500 <c>ServerError</c> (never a stack trace), and an unanswered
/// 404/405 (no route) into the hub's error envelope.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    /// <summary>Runs the rest of the pipeline under the error rules.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[ErrorResponseFactory.RequestIdHeader] = ErrorResponseFactory.RequestId(context);
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
                await ErrorResponseFactory.WriteAsync(context, IotHubErrorCode.GenericNotFound,
                    $"The requested resource '{context.Request.Method} {context.Request.Path}' does not exist.");
        }
        catch (HubException ex) when (!context.Response.HasStarted)
        {
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("{Method} {Path} failed: {Code} {Message}", context.Request.Method, context.Request.Path, ex.Code, ex.Message);
            await ErrorResponseFactory.WriteAsync(context, ex.Code, ex.Message);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? IotHubErrorCode.MessageTooLarge : IotHubErrorCode.GenericBadRequest;
            await ErrorResponseFactory.WriteAsync(context, code, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Unexpected error in {Method} {Path}", context.Request.Method, context.Request.Path);
            await ErrorResponseFactory.WriteAsync(context, IotHubErrorCode.ServerError,
                $"An unexpected error occurred in the emulator (tracking id {ErrorResponseFactory.TrackingId(context)}); see its log.");
        }
    }
}
