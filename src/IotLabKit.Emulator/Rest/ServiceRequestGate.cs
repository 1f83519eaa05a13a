using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Http;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// Runs after routing, before any service endpoint: requires an <c>api-version</c> query parameter (any value is
/// accepted; a missing one is <c>InvalidProtocolVersion</c> as on the hub) and a SAS token whose policy grants the
/// endpoint's <see cref="RequiredPermission"/>.
/// </summary>
public sealed class ServiceRequestGate(RequestDelegate next, SasValidator validator)
{
    /// <summary>Checks the request, then passes it on.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredPermission>();
        if (required is null) return next(context);
        if (string.IsNullOrWhiteSpace(context.Request.Query["api-version"]))
            throw new HubException(IotHubErrorCode.InvalidProtocolVersion,
                "The api-version query parameter is missing; add ?api-version=2021-04-12 (or another IoT Hub api-version).");
        var principal = validator.Authenticate(context.Request.Headers.Authorization);
        SasValidator.DemandService(principal, required.Rights);
        return next(context);
    }
}
