using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>The verdict on a CONNECT: the CONNACK code, and for a refusal the reason (logged, never sent).</summary>
/// <param name="Code">What CONNACK says.</param>
/// <param name="Refusal">Why it was refused, for the log; null when accepted.</param>
/// <param name="TokenExpiresOn">When the accepted token expires (the hub closes the connection then).</param>
public readonly record struct ConnectDecision(MqttConnectReasonCode Code, string? Refusal, DateTimeOffset? TokenExpiresOn = null)
{
    /// <summary>True when the device may connect.</summary>
    public bool Accepted => Code == MqttConnectReasonCode.Success;
}

/// <summary>
/// Checks a device's CONNECT the way IoT Hub does: MQTT 3.1.1; client id = device id; user name
/// <c>{this hub's host}/{deviceId}/?…</c> (any api-version and DeviceClientType, model-id allowed, host with or
/// without port); password = a SAS token — the device's own key for <c>sr={host}/devices/{id}</c>, or a policy with
/// DeviceConnect for the hub or that device — validated by the one <see cref="SasValidator"/>. A malformed user
/// name or a missing password is CONNACK 4 (bad user name or password); a token that does not authenticate this
/// device, an unknown or a disabled device is 5 (not authorized), which every SDK reports as an authorization failure.
/// </summary>
public sealed class DeviceConnectAuthenticator(SasValidator sas, DeviceRegistry registry)
{
    /// <summary>Decides whether <paramref name="clientId"/> may connect.</summary>
    public ConnectDecision Authenticate(string? clientId, string? userName, string? password, MqttProtocolVersion protocol)
    {
        if (protocol != MqttProtocolVersion.V311)
            return Refuse(MqttConnectReasonCode.UnsupportedProtocolVersion, $"IoT Hub speaks MQTT 3.1.1 only; the client asked for {protocol}.");
        if (string.IsNullOrEmpty(clientId))
            return Refuse(MqttConnectReasonCode.ClientIdentifierNotValid, "The client id is empty; it must be the device id.");
        if (clientId.Contains('/'))
            return Refuse(MqttConnectReasonCode.NotAuthorized, $"The client id '{clientId}' names a module; the emulator has no modules yet.");
        if (!MqttUserName.TryParse(userName, out var name, out var nameError))
            return Refuse(MqttConnectReasonCode.BadUserNameOrPassword, nameError);
        if (name!.ModuleId is not null || !string.Equals(name.DeviceId, clientId, StringComparison.Ordinal))
            return Refuse(MqttConnectReasonCode.BadUserNameOrPassword,
                $"The user name names '{name.DeviceId}{(name.ModuleId is null ? "" : "/" + name.ModuleId)}' but the client id is '{clientId}'; both must be the device id.");
        if (!sas.IsThisHub(name.Host))
            return Refuse(MqttConnectReasonCode.BadUserNameOrPassword, $"The user name's host '{name.Host}' is not this hub.");
        if (string.IsNullOrEmpty(password))
            return Refuse(MqttConnectReasonCode.BadUserNameOrPassword, "The CONNECT packet has no password; it must be a SAS token (X.509 authentication is not supported by the emulator).");

        SasPrincipal principal;
        try { principal = sas.Authenticate(password); }
        catch (HubException ex) { return Refuse(MqttConnectReasonCode.NotAuthorized, ex.Message); }

        if (principal.ModuleId is not null)
            return Refuse(MqttConnectReasonCode.NotAuthorized, $"The token is for module '{principal.ModuleId}', not for device '{clientId}'.");
        if (principal.IsDeviceKey)
        {
            if (!string.Equals(principal.DeviceId, clientId, StringComparison.Ordinal))
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"The token is for device '{principal.DeviceId}', not for '{clientId}'.");
        }
        else
        {
            if ((principal.Rights & IotHubPermissions.DeviceConnect) == 0)
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"The shared access policy '{principal.PolicyName}' does not grant DeviceConnect.");
            if (principal.DeviceId is not null && !string.Equals(principal.DeviceId, clientId, StringComparison.Ordinal))
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"The token is scoped to device '{principal.DeviceId}', not to '{clientId}'.");
            if (principal.DeviceId is null && principal.ResourcePath.Length > 0)
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"The token is scoped to '{principal.ResourcePath}', which does not cover device '{clientId}'.");
            var device = registry.Find(clientId);
            if (device is null)
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"Device '{clientId}' is not registered.");
            if (device.Status == DeviceStatus.Disabled)
                return Refuse(MqttConnectReasonCode.NotAuthorized, $"Device '{clientId}' is disabled.");
        }

        DateTimeOffset? expires = SharedAccessSignature.TryParse(password, out var token, out _)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(token!.ExpiresOn, 0, 253402300799))
            : null;
        return new ConnectDecision(MqttConnectReasonCode.Success, null, expires);
    }

    private static ConnectDecision Refuse(MqttConnectReasonCode code, string why) => new(code, why);
}
