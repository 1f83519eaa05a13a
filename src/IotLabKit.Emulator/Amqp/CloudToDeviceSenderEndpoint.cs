using Amqp.Listener;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.CloudToDevice;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// A service's sender link on <c>/messages/devicebound</c>: each message is queued for its device and accepted once
/// stored, or rejected with IoT Hub's error (403004 queue full → <c>amqp:resource-limit-exceeded</c>, unknown device
/// → <c>amqp:not-found</c> …), so nothing is accepted that was not kept.
/// </summary>
internal sealed class CloudToDeviceSenderEndpoint(CloudToDeviceQueue queue, ILogger logger) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        try
        {
            queue.Enqueue(CloudToDeviceAmqpMessages.Read(messageContext.Message));
            messageContext.Complete();
        }
        catch (HubException ex)
        {
            messageContext.Complete(CloudToDeviceAmqpMessages.ErrorFor(ex));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A cloud-to-device message could not be queued.");
            messageContext.Complete(new global::Amqp.Framing.Error(global::Amqp.ErrorCode.InternalError) { Description = "The message could not be stored." });
        }
    }

    public override void OnFlow(FlowContext flowContext) { }

    public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
}
