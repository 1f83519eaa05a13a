using System.Runtime.CompilerServices;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The <c>$cbs</c> node. Requests come on a client's sender link; the reply goes back on that connection's receiver
/// link from <c>$cbs</c> whose target address is the request's reply-to (Microsoft.Azure.Amqp, AMQPNetLite) or, when
/// none matches, on its one receiver link from <c>$cbs</c> (Microsoft's Node SDK attaches it without a target and
/// sends <c>reply_to: "cbs"</c>, and IoT Hub answers it there). Reply links are kept per connection, so clients
/// using the same reply-to never see each other's answers.
/// </summary>
internal sealed class CbsNode(CbsProcessor processor)
{
    private const string Address = "$cbs";
    private const int RequestCredit = 100;
    private readonly ConditionalWeakTable<Connection, List<ReplyLink>> _replyLinks = new();

    /// <summary>True when the link is on <c>$cbs</c> (the attach is then completed here).</summary>
    public bool TryAttach(AttachContext attachContext, bool clientReceives, string? address)
    {
        if (!string.Equals(address, Address, StringComparison.OrdinalIgnoreCase)) return false;
        var link = attachContext.Link;
        var connection = link.Session.Connection;
        if (clientReceives)
        {
            var replyLink = new ReplyLink(link, (attachContext.Attach.Target as Target)?.Address);
            var links = _replyLinks.GetOrCreateValue(connection);
            lock (links) links.Add(replyLink);
            link.AddClosedCallback((_, _) => { lock (links) links.Remove(replyLink); });
            attachContext.Complete(new ReplyEndpoint(), 0);
        }
        else
        {
            attachContext.Complete(new RequestEndpoint(this, connection), RequestCredit);
        }
        return true;
    }

    private ListenerLink? FindReplyLink(Connection connection, string? replyTo)
    {
        if (!_replyLinks.TryGetValue(connection, out var links)) return null;
        lock (links)
        {
            return links.FirstOrDefault(l => replyTo is not null && string.Equals(l.TargetAddress, replyTo, StringComparison.Ordinal))?.Link
                ?? links.FirstOrDefault(l => l.TargetAddress is null)?.Link
                ?? (links.Count == 1 ? links[0].Link : null);
        }
    }

    private sealed record ReplyLink(ListenerLink Link, string? TargetAddress);

    private sealed class RequestEndpoint(CbsNode node, Connection connection) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
        {
            var request = messageContext.Message;
            if (node.FindReplyLink(connection, request.Properties?.ReplyTo) is not { } replyLink)
            {
                messageContext.Complete(new Error(ErrorCode.NotFound) { Description = "No reply link: attach a receiver on $cbs (with the request's reply-to as its target) first." });
                return;
            }
            var reply = node.Processor.Reply(request, connection);
            messageContext.Complete();
            replyLink.SendMessage(reply);
        }

        public override void OnFlow(FlowContext flowContext) { }

        public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
    }

    private sealed class ReplyEndpoint : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
            => messageContext.Complete(new Error(ErrorCode.NotAllowed) { Description = "The $cbs reply link does not take messages." });

        public override void OnFlow(FlowContext flowContext) { }

        public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
    }

    private CbsProcessor Processor => processor;
}
