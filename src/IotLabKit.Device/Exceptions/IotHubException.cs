using IotLabKit.Protocol;

namespace IotLabKit.Device;

/// <summary>
/// An error reported by the hub or met on the way to it. <see cref="StatusCode"/> is the status IoT Hub answered
/// (on MQTT, the number in a response topic), <see cref="ErrorCode"/> its six-digit code when known.
/// </summary>
public class IotHubException : Exception
{
    /// <summary>Creates an error with a message.</summary>
    public IotHubException(string message) : this(message, null) { }

    /// <summary>Creates an error with a message and its cause.</summary>
    public IotHubException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an error with everything the hub said.</summary>
    public IotHubException(string message, int? statusCode, IotHubErrorCode? errorCode, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        IsTransient = isTransient;
    }

    /// <summary>The status the hub answered (HTTP-style: 400, 401, 404, 429, 500 …), or null when no answer came.</summary>
    public int? StatusCode { get; }

    /// <summary>IoT Hub's error code, when the hub named one or the status maps to exactly one.</summary>
    public IotHubErrorCode? ErrorCode { get; }

    /// <summary>True when trying again later may succeed (connection lost, throttled, server busy).</summary>
    public bool IsTransient { get; }
}

/// <summary>The hub refused the device's credentials (CONNACK 4 or 5, or a 401 answer).</summary>
public sealed class UnauthorizedException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public UnauthorizedException(string message, Exception? innerException = null)
        : base(message, 401, IotHubErrorCode.IotHubUnauthorizedAccess, isTransient: false, innerException) { }
}

/// <summary>The hub could not be reached, or the connection broke before an answer came. Transient.</summary>
public sealed class IotHubCommunicationException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public IotHubCommunicationException(string message, Exception? innerException = null)
        : base(message, null, null, isTransient: true, innerException) { }
}

/// <summary>The hub did not answer a request within the client's timeout. Transient.</summary>
public sealed class IotHubTimeoutException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public IotHubTimeoutException(string message)
        : base(message, null, null, isTransient: true) { }
}

/// <summary>The device (or what the request names) does not exist on the hub (404).</summary>
public sealed class DeviceNotFoundException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public DeviceNotFoundException(string message, IotHubErrorCode? code = IotHubErrorCode.DeviceNotFound)
        : base(message, 404, code, isTransient: false) { }
}

/// <summary>A message is larger than IoT Hub accepts (413, or caught before sending).</summary>
public sealed class MessageTooLargeException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public MessageTooLargeException(string message)
        : base(message, 413, IotHubErrorCode.MessageTooLarge, isTransient: false) { }
}

/// <summary>The hub throttled the request (429). Transient.</summary>
public sealed class IotHubThrottledException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public IotHubThrottledException(string message, IotHubErrorCode? code = IotHubErrorCode.ThrottlingException)
        : base(message, 429, code, isTransient: true) { }
}

/// <summary>The hub is busy or unavailable (503, or CONNACK 3 "server unavailable"). Transient.</summary>
public sealed class ServerBusyException : IotHubException
{
    /// <summary>Creates the error.</summary>
    public ServerBusyException(string message, IotHubErrorCode? code = IotHubErrorCode.ServiceUnavailable)
        : base(message, 503, code, isTransient: true) { }
}
