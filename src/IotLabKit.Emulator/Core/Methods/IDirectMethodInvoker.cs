using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Methods;

/// <summary>A direct-method call as the service asked for it (body of <c>POST /twins/{id}/methods</c>).</summary>
/// <param name="MethodName">The method name the device's handler is registered for.</param>
/// <param name="Payload">The request payload: any JSON value, <c>null</c> included.</param>
/// <param name="ResponseTimeout">How long to wait for the device's answer (IoT Hub: 5–300 s, default 30 s).</param>
/// <param name="ConnectTimeout">How long to wait for the device to connect first (0 = it must be online now).</param>
public sealed record DirectMethodCall(string MethodName, JsonNode? Payload, TimeSpan ResponseTimeout, TimeSpan ConnectTimeout);

/// <summary>The device's answer: its own status code and payload (<c>null</c> when it sent none).</summary>
public sealed record DirectMethodResult(int Status, JsonNode? Payload);

/// <summary>
/// Sends direct methods to connected devices and waits for their answers. The hub core depends on this
/// abstraction (REST method calls, method jobs); the device transport (MQTT) implements it.
/// Failures are <see cref="HubException"/>s: DeviceNotFound (404001), DeviceNotOnline (404103, at once when the
/// device is offline or has not subscribed, or after the connect timeout), GatewayTimeout (504101, no answer in time),
/// MessageTooLarge (413001, payload over 128 KB).
/// </summary>
public interface IDirectMethodInvoker
{
    /// <summary>Invokes <paramref name="call"/> on the device (or module, when <paramref name="moduleId"/> is set).</summary>
    Task<DirectMethodResult> InvokeAsync(string deviceId, string? moduleId, DirectMethodCall call, CancellationToken cancellationToken);
}
