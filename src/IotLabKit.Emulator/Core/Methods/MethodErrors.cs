using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Methods;

/// <summary>The failures of a direct-method call, worded as IoT Hub words them.</summary>
public static class MethodErrors
{
    /// <summary>404103: the device is not connected, or has not subscribed to method requests.</summary>
    public static HubException DeviceNotOnline(string deviceId)
        => new(IotHubErrorCode.DeviceNotOnline,
            $"The operation failed because the requested device isn't online or hasn't registered the direct method callback (device '{deviceId}').");

    /// <summary>404103 after waiting <c>connectTimeoutInSeconds</c> for the device.</summary>
    public static HubException ConnectTimedOut(string deviceId, TimeSpan waited)
        => new(IotHubErrorCode.DeviceNotOnline,
            $"Timed out waiting for device to connect (device '{deviceId}' did not come online with a direct method callback within {waited.TotalSeconds:0} s).");

    /// <summary>504101: no answer within <c>responseTimeoutInSeconds</c>.</summary>
    public static HubException ResponseTimedOut(string deviceId, string methodName, TimeSpan waited)
        => new(IotHubErrorCode.GatewayTimeout,
            $"Timed out waiting for the response from device (device '{deviceId}', method '{methodName}', {waited.TotalSeconds:0} s).");

    /// <summary>404010: modules are not part of the emulator yet.</summary>
    public static HubException ModuleNotFound(string deviceId, string moduleId)
        => new(IotHubErrorCode.ModuleNotFound, $"Module {moduleId} on device {deviceId} not registered.");
}
