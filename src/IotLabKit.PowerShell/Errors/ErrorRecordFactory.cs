extern alias IotDevice;

using System.Management.Automation;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Azure.Messaging.EventHubs;
using IotLabKit.PowerShell.Telemetry;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Errors;

/// <summary>
/// The one place where failures become <see cref="ErrorRecord"/>s. Ids read <c>&lt;Command&gt;&lt;Reason&gt;</c>
/// (<c>GetIotDeviceNotFound</c>) and stay stable, so scripts and Pester graders can match on them; the message is
/// the hub's own text.
/// </summary>
internal static class ErrorRecordFactory
{
    /// <summary>The hint given whenever a cmdlet needs a hub and the session has none.</summary>
    public const string ConnectHint = "Run Start-IotHubEmulator to start a local hub, or Connect-IotHub -ConnectionString '<service connection string>' to use an existing one.";

    /// <summary>Builds a record from scratch.</summary>
    /// <param name="command">The command part of the id, e.g. <c>GetIotDevice</c>.</param>
    /// <param name="reason">The reason part of the id, e.g. <c>NotFound</c>.</param>
    /// <param name="category">The PowerShell error category.</param>
    /// <param name="message">What went wrong, for the user.</param>
    /// <param name="target">The object the error is about (usually a device id).</param>
    /// <param name="inner">The exception behind it, if any.</param>
    /// <param name="recommendedAction">What the user can do about it.</param>
    public static ErrorRecord Create(string command, string reason, ErrorCategory category, string message,
        object? target, Exception? inner = null, string? recommendedAction = null)
    {
        var record = new ErrorRecord(new IotLabKitException(message, inner), command + reason, category, target);
        if (recommendedAction is not null) record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
        return record;
    }

    /// <summary>The session has no hub connection.</summary>
    public static ErrorRecord NotConnected(string command) =>
        Create(command, "NotConnected", ErrorCategory.ConnectionError,
            "Not connected to an IoT hub. " + ConnectHint, null, recommendedAction: ConnectHint);

    /// <summary>A device that does not exist (found out without asking the hub to fail).</summary>
    public static ErrorRecord DeviceNotFound(string command, string deviceId) =>
        Create(command, "NotFound", ErrorCategory.ObjectNotFound,
            $"The device '{deviceId}' does not exist in the hub.", deviceId);

    /// <summary>A direct method found the device offline, or not subscribed to methods (IoT Hub 404103).</summary>
    public static ErrorRecord DeviceNotOnline(string command, string deviceId, int connectTimeoutSeconds, Exception? inner) =>
        Create(command, "DeviceNotOnline", ErrorCategory.ConnectionError,
            connectTimeoutSeconds > 0
                ? $"The device '{deviceId}' is not online (or has not subscribed to direct methods): it did not connect within {connectTimeoutSeconds} s."
                : $"The device '{deviceId}' is not online (or has not subscribed to direct methods).",
            deviceId, inner,
            "Start the device (Start-SimulatedDevice starts a simulated one), or give -ConnectTimeout to wait for it to connect.");

    /// <summary>A direct method got no answer from the device in time (IoT Hub 504101).</summary>
    public static ErrorRecord MethodTimeout(string command, string deviceId, string methodName, int responseTimeoutSeconds, Exception? inner) =>
        Create(command, "Timeout", ErrorCategory.OperationTimeout,
            $"The device '{deviceId}' did not answer the direct method '{methodName}' within {responseTimeoutSeconds} s.",
            deviceId, inner,
            "Check that the device handles this method (the name is case-sensitive), or give a longer -ResponseTimeout (up to 300 s).");

    /// <summary>Maps any failure of a hub call to a record.</summary>
    public static ErrorRecord FromException(Exception exception, string command, object? target)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        var (reason, category, hint) = Classify(exception);
        var record = new ErrorRecord(exception, command + reason, category, target);
        if (hint is not null) record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = hint };
        return record;
    }

    /// <summary>The reason part of the id, the category, and a hint for the user, for any failure.</summary>
    internal static (string Reason, ErrorCategory Category, string? Hint) Classify(Exception exception)
    {
        switch (exception)
        {
            case IotHubException hub when hub.ErrorCode is { } code:
                return ByCode(code);
            case IotHubException { Details: null } transport:
                return Transport(transport);
            case IotHubException hub:
                return ByStatus(hub);
            case IotDevice::IotLabKit.Device.UnauthorizedException:
                return ("Unauthorized", ErrorCategory.PermissionDenied,
                    "The hub refused the device: check that it exists, is enabled, and that its key is current.");
            case IotDevice::IotLabKit.Device.IotHubException { ErrorCode: { } deviceCode }:
                return ByCode(deviceCode);
            case IotDevice::IotLabKit.Device.IotHubException device:
                return Transport(device);
            case EventHubsException eventHubs:
                return EventHubs(eventHubs);
            case PartitionNotFoundException:
                return ("PartitionNotFound", ErrorCategory.ObjectNotFound, null);
            case UnauthorizedAccessException:
                return ("Unauthorized", ErrorCategory.PermissionDenied,
                    "Check the connection string's key, and that its policy has the right permission (service or iothubowner for telemetry).");
            case FormatException:
                return ("InvalidConnectionString", ErrorCategory.InvalidArgument, null);
            case FileNotFoundException:
                return ("CaCertificateNotFound", ErrorCategory.ObjectNotFound, null);
            case HttpRequestException or SocketException or AuthenticationException:
                return Transport(exception);
            case TimeoutException:
                return ("Timeout", ErrorCategory.OperationTimeout, null);
            case ArgumentException:
                return ("InvalidArgument", ErrorCategory.InvalidArgument, null);
            default:
                return ("Failed", ErrorCategory.NotSpecified, null);
        }
    }

    private static (string, ErrorCategory, string?) ByCode(IotHubErrorCode code) => code switch
    {
        IotHubErrorCode.DeviceNotFound or IotHubErrorCode.ModuleNotFound or IotHubErrorCode.JobNotFound
            or IotHubErrorCode.ConfigurationNotFound or IotHubErrorCode.GenericNotFound => ("NotFound", ErrorCategory.ObjectNotFound, null),
        IotHubErrorCode.DeviceAlreadyExists or IotHubErrorCode.ModuleAlreadyExistsOnDevice or IotHubErrorCode.JobAlreadyExists
            or IotHubErrorCode.ConfigurationAlreadyExists => ("AlreadyExists", ErrorCategory.ResourceExists, null),
        IotHubErrorCode.PreconditionFailed => ("PreconditionFailed", ErrorCategory.InvalidOperation,
            "The ETag no longer matches: someone changed it since you read it. Read it again, or leave out -ETag to overwrite."),
        IotHubErrorCode.IotHubUnauthorizedAccess or IotHubErrorCode.IotHubUnauthorized => ("Unauthorized", ErrorCategory.PermissionDenied,
            "Check the connection string's key, and that its policy has the right permission (iothubowner has all)."),
        IotHubErrorCode.InvalidProtocolVersion or IotHubErrorCode.ArgumentInvalid or IotHubErrorCode.ArgumentNull
            or IotHubErrorCode.IotHubFormatError or IotHubErrorCode.GenericBadRequest or IotHubErrorCode.DeviceDefinedMultipleTimes
            or IotHubErrorCode.InvalidConfigurationTargetCondition or IotHubErrorCode.InvalidConfigurationContent
            or IotHubErrorCode.InvalidConfigurationCustomMetricsQuery
            => ("InvalidArgument", ErrorCategory.InvalidArgument, null),
        IotHubErrorCode.CannotModifyImmutableConfigurationContent => ("ContentImmutable", ErrorCategory.InvalidOperation,
            "A configuration's content cannot change. Create a new configuration (with a new id and a higher priority) for new content."),
        IotHubErrorCode.InvalidOperation or IotHubErrorCode.BulkRegistryOperationFailure
            => ("InvalidOperation", ErrorCategory.InvalidOperation, null),
        IotHubErrorCode.ThrottlingException or IotHubErrorCode.ThrottlingMaxActiveJobCountExceeded
            => ("Throttled", ErrorCategory.LimitsExceeded, "The hub is throttling requests; wait a moment and try again."),
        IotHubErrorCode.DeviceMaximumQueueDepthExceeded => ("QuotaExceeded", ErrorCategory.LimitsExceeded,
            "The device already has 50 cloud-to-device messages waiting, IoT Hub's limit: let it connect and receive them, or empty its queue with Clear-CloudToDeviceQueue."),
        IotHubErrorCode.IotHubQuotaExceeded or IotHubErrorCode.JobQuotaExceeded
            or IotHubErrorCode.TooManyDevices or IotHubErrorCode.ConfigurationCountLimitExceeded => ("QuotaExceeded", ErrorCategory.LimitsExceeded, null),
        IotHubErrorCode.MessageTooLarge => ("MessageTooLarge", ErrorCategory.LimitsExceeded, null),
        IotHubErrorCode.DeviceNotOnline or IotHubErrorCode.DeviceConnectionClosedRemotely
            or IotHubErrorCode.ConnectionForcefullyClosedOnNewConnection => ("DeviceNotOnline", ErrorCategory.ConnectionError, null),
        IotHubErrorCode.GatewayTimeout or IotHubErrorCode.GenericTimeout => ("Timeout", ErrorCategory.OperationTimeout, null),
        IotHubErrorCode.ServiceUnavailable => ("ServiceUnavailable", ErrorCategory.ConnectionError, null),
        IotHubErrorCode.ServerError => ("ServerError", ErrorCategory.NotSpecified, null),
        IotHubErrorCode.DeviceMessageLockLost => ("LockLost", ErrorCategory.InvalidOperation, null),
        _ => ("Failed", ErrorCategory.NotSpecified, null),
    };

    private static (string, ErrorCategory, string?) ByStatus(IotHubException hub) => hub switch
    {
        DeviceNotFoundException => ("NotFound", ErrorCategory.ObjectNotFound, null),
        DeviceAlreadyExistsException => ("AlreadyExists", ErrorCategory.ResourceExists, null),
        PreconditionFailedException => ("PreconditionFailed", ErrorCategory.InvalidOperation, null),
        UnauthorizedException => ("Unauthorized", ErrorCategory.PermissionDenied, null),
        IotHubArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument, null),
        ThrottlingException or QuotaExceededException => ("Throttled", ErrorCategory.LimitsExceeded, null),
        _ => hub.StatusCode switch
        {
            400 => ("InvalidArgument", ErrorCategory.InvalidArgument, null),
            401 or 403 => ("Unauthorized", ErrorCategory.PermissionDenied, null),
            404 => ("NotFound", ErrorCategory.ObjectNotFound, null),
            409 => ("AlreadyExists", ErrorCategory.ResourceExists, null),
            412 => ("PreconditionFailed", ErrorCategory.InvalidOperation, null),
            429 => ("Throttled", ErrorCategory.LimitsExceeded, null),
            503 => ("ServiceUnavailable", ErrorCategory.ConnectionError, null),
            504 => ("Timeout", ErrorCategory.OperationTimeout, null),
            _ => ("Failed", ErrorCategory.NotSpecified, null),
        },
    };

    // Azure.Messaging.EventHubs' failures reading the Event Hubs-compatible endpoint.
    private static (string, ErrorCategory, string?) EventHubs(EventHubsException exception) => exception.Reason switch
    {
        EventHubsException.FailureReason.ResourceNotFound => ("NotFound", ErrorCategory.ObjectNotFound,
            "Check the consumer group ($Default always exists; Get-IotHubConsumerGroup lists the emulator's) and the connection string's EntityPath (the hub's name)."),
        EventHubsException.FailureReason.ServiceCommunicationProblem => ("ConnectionFailed", ErrorCategory.ConnectionError,
            "Check that the hub is running and reachable, and that the connection string's Endpoint is its Event Hubs-compatible endpoint."),
        EventHubsException.FailureReason.ServiceTimeout => ("Timeout", ErrorCategory.OperationTimeout, null),
        EventHubsException.FailureReason.ServiceBusy => ("ServiceUnavailable", ErrorCategory.ConnectionError, null),
        EventHubsException.FailureReason.QuotaExceeded => ("QuotaExceeded", ErrorCategory.LimitsExceeded,
            "Event Hubs allows 5 readers per partition and consumer group: stop other readers, or read in another consumer group."),
        EventHubsException.FailureReason.ConsumerDisconnected => ("ConsumerDisconnected", ErrorCategory.ResourceBusy,
            "A reader with a higher owner level took over this partition in this consumer group."),
        _ => ("Failed", ErrorCategory.NotSpecified, null),
    };

    private static (string, ErrorCategory, string?) Transport(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
                return ("CertificateNotTrusted", ErrorCategory.ConnectionError,
                    "The hub's TLS certificate was not trusted. For the emulator, pass -CaCertificatePath (Get-IotHubEmulator shows it) or set IOTLABKIT_EMULATOR_CA.");
            if (e is TimeoutException or TaskCanceledException)
                return ("Timeout", ErrorCategory.OperationTimeout, null);
        }
        return ("ConnectionFailed", ErrorCategory.ConnectionError,
            "Check that the hub is running and reachable (Get-IotHubEmulator shows the emulator's state).");
    }
}

/// <summary>An IotLabKit failure that is not an IoT Hub answer (bad input, emulator start-up, local state).</summary>
public sealed class IotLabKitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IotLabKitException(string message, Exception? inner = null) : base(message, inner) { }
}
