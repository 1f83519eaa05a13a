using Amqp;
using IotLabKit.Emulator.Core;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The <c>$cbs</c> node's answers: <c>put-token</c> with a SharedAccessSignature (types
/// <c>servicebus.windows.net:sastoken</c> and <c>azure-devices.net:sastoken</c>), validated by the one SAS validator.
/// 200 when accepted (Node's SDK takes nothing else; .NET clients take 200 or 202), 401 with the reason otherwise, 400 for another operation. <see cref="CbsNode"/> carries the
/// requests and replies.
/// </summary>
internal sealed class CbsProcessor(AmqpAuthorization authorization)
{
    /// <summary>The reply to <paramref name="request"/>, which arrived on <paramref name="connection"/>.</summary>
    public Message Reply(Message request, Connection connection)
    {
        var operation = AmqpReplies.Property(request, "operation");
        if (operation != "put-token")
            return AmqpReplies.Create(request, 400, $"The $cbs operation '{operation}' is not supported; use put-token.");
        try
        {
            authorization.PutToken(connection, request.Body as string);
            return AmqpReplies.Create(request, 200, "OK");
        }
        catch (HubException ex)
        {
            return AmqpReplies.Create(request, 401, ex.Message);
        }
    }
}
