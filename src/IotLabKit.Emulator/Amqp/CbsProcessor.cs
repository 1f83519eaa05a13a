using Amqp.Listener;
using IotLabKit.Emulator.Core;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The <c>$cbs</c> node: <c>put-token</c> with a SharedAccessSignature (types <c>servicebus.windows.net:sastoken</c>
/// and <c>azure-devices.net:sastoken</c>), validated by the one SAS validator. 202 when accepted, 401 with the reason
/// otherwise, 400 for another operation.
/// </summary>
internal sealed class CbsProcessor(AmqpAuthorization authorization) : IRequestProcessor
{
    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        var request = requestContext.Message;
        var operation = AmqpReplies.Property(request, "operation");
        if (operation != "put-token")
        {
            requestContext.Complete(AmqpReplies.Create(request, 400, $"The $cbs operation '{operation}' is not supported; use put-token."));
            return;
        }
        try
        {
            authorization.PutToken(requestContext.Link.Session.Connection, request.Body as string);
            requestContext.Complete(AmqpReplies.Create(request, 202, "Accepted"));
        }
        catch (HubException ex)
        {
            requestContext.Complete(AmqpReplies.Create(request, 401, ex.Message));
        }
    }
}
