using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core;

/// <summary>
/// A failure the hub reports to its caller: an IoT Hub error code and a message fit to show a user.
/// Adapters (REST now, MQTT later) turn it into their own wire form; nothing else should carry hub errors.
/// </summary>
public sealed class HubException : Exception
{
    /// <summary>Creates a hub error.</summary>
    public HubException(IotHubErrorCode code, string message) : base(message) => Code = code;

    /// <summary>The IoT Hub error code; its first three digits are the HTTP status.</summary>
    public IotHubErrorCode Code { get; }

    /// <summary>The HTTP status that goes with <see cref="Code"/>.</summary>
    public int HttpStatus => Code.HttpStatus();

    internal static HubException DeviceNotFound(string deviceId)
        => new(IotHubErrorCode.DeviceNotFound, $"Device {deviceId} not registered.");

    internal static HubException DeviceAlreadyExists(string deviceId)
        => new(IotHubErrorCode.DeviceAlreadyExists, $"A device with ID '{deviceId}' is already registered.");

    internal static HubException PreconditionFailed(string what)
        => new(IotHubErrorCode.PreconditionFailed, $"Precondition failed: the If-Match etag does not match the current etag of {what}.");

    internal static HubException Invalid(string message) => new(IotHubErrorCode.ArgumentInvalid, message);
}
