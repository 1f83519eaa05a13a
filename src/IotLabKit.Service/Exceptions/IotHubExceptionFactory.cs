using IotLabKit.Protocol;

namespace IotLabKit.Service.Exceptions;

/// <summary>The one place that turns a hub error answer into the matching <see cref="IotHubException"/> subclass.</summary>
internal static class IotHubExceptionFactory
{
    public static IotHubException Create(IotHubErrorDetails details) => details.StatusCode switch
    {
        400 => new IotHubArgumentException(details),
        401 => new UnauthorizedException(details),
        403 => new QuotaExceededException(details),
        404 => NotFound(details),
        408 => new IotHubTimeoutException(details),
        409 => new DeviceAlreadyExistsException(details),
        412 => new PreconditionFailedException(details),
        413 => new MessageTooLargeException(details),
        429 => new ThrottlingException(details),
        500 => new ServerErrorException(details),
        503 => new ServerBusyException(details),
        504 => new IotHubTimeoutException(details),
        _ => new IotHubException(details, isTransient: details.StatusCode is 502),
    };

    private static DeviceNotFoundException NotFound(IotHubErrorDetails details)
    {
        if (Is(details, IotHubErrorCode.ModuleNotFound)) return new ModuleNotFoundException(details);
        if (Is(details, IotHubErrorCode.DeviceNotOnline)) return new DeviceNotOnlineException(details);
        if (Is(details, IotHubErrorCode.JobNotFound)) return new JobNotFoundException(details);
        if (Is(details, IotHubErrorCode.ConfigurationNotFound)) return new ConfigurationNotFoundException(details);
        return new DeviceNotFoundException(details);
    }

    private static bool Is(IotHubErrorDetails details, IotHubErrorCode code)
        => details.ErrorCode == code || string.Equals(details.ErrorName, code.ToString(), StringComparison.OrdinalIgnoreCase);
}
