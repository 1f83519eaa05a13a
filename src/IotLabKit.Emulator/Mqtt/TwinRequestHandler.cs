using System.Text;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Errors;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// A device's twin requests over MQTT, answered from the same <see cref="TwinStore"/> as the REST side:
/// <c>GET</c> → <c>res/200</c> with desired and reported (no metadata); reported <c>PATCH</c> → <c>res/204</c>
/// with the new reported <c>$version</c> and an empty body; failures → <c>res/{status}</c> with
/// <c>{"errorCode":…,"message":…}</c>. Answers go only to a device subscribed to <c>$iothub/twin/res/#</c>.
/// </summary>
public sealed class TwinRequestHandler(TwinStore twins, TimeProvider clock)
{
    /// <summary>Answers one twin request from <paramref name="session"/>.</summary>
    public void Handle(DeviceSession session, DevicePublish request, ReadOnlySpan<byte> body)
    {
        var rid = request.RequestId!;
        try
        {
            switch (request.Kind)
            {
                case DevicePublishKind.TwinGet:
                    var twin = twins.GetForDevice(session.DeviceId);
                    Send(session, DeviceTopics.TwinResponse(200, rid), Encoding.UTF8.GetBytes(HubJson.Write(twin)));
                    break;
                case DevicePublishKind.TwinReportedPatch:
                    var patch = HubJson.ParseObject(Encoding.UTF8.GetString(body), "the reported properties patch");
                    var version = twins.UpdateReported(session.DeviceId, patch);
                    Send(session, DeviceTopics.TwinResponse(204, rid, version), []);
                    break;
                default:
                    throw new HubException(IotHubErrorCode.GenericBadRequest,
                        "Unsupported twin operation: devices may publish to $iothub/twin/GET/?$rid={rid} and $iothub/twin/PATCH/properties/reported/?$rid={rid}.");
            }
        }
        catch (HubException ex)
        {
            var error = ErrorResponseFactory.DeviceErrorBody(ex.Code, ex.Message, Guid.NewGuid().ToString("N"), clock.GetUtcNow());
            Send(session, DeviceTopics.TwinResponse(ex.HttpStatus, rid), Encoding.UTF8.GetBytes(HubJson.Write(error)));
        }
    }

    private static void Send(DeviceSession session, string topic, byte[] body)
        => session.TrySend(DeviceSubscription.TwinResponses, topic, body);
}
