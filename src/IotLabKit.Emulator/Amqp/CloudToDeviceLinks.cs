using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// Attaches the service's cloud-to-device links: a sender on <c>/messages/devicebound</c> and a receiver on
/// <c>/messages/serviceBound/feedback</c> (names compared ignoring case: Microsoft's SDKs spell them differently),
/// both needing ServiceConnect.
/// </summary>
internal sealed class CloudToDeviceLinks(CloudToDeviceQueue queue, FeedbackQueue feedback, AmqpAuthorization authorization, string hubName, ILogger logger)
{
    private const int SenderCredit = 100;

    /// <summary>True when <paramref name="address"/> is one of these nodes (the attach is then completed here, accepted or refused).</summary>
    public bool TryAttach(AttachContext attachContext, bool clientReceives, string? address)
    {
        var send = !clientReceives && string.Equals(address, CloudToDeviceAmqpMessages.SendAddress, StringComparison.OrdinalIgnoreCase);
        var receive = clientReceives && string.Equals(address, CloudToDeviceAmqpMessages.FeedbackAddress, StringComparison.OrdinalIgnoreCase);
        if (!send && !receive) return false;
        if (authorization.WhyNot(attachContext.Link.Session.Connection, IotHubPermissions.ServiceConnect) is { } why)
        {
            attachContext.Complete(new Error(new Symbol("amqp:unauthorized-access")) { Description = why });
            return true;
        }
        if (send) attachContext.Complete(new CloudToDeviceSenderEndpoint(queue, logger), SenderCredit);
        else attachContext.Complete(new FeedbackReceiverEndpoint(feedback, attachContext.Link, hubName, logger), 0);
        return true;
    }
}
