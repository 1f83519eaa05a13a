using Amqp;
using Amqp.Sasl;
using Amqp.Types;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// SASL <c>MSSBCBS</c>: what Azure's AMQP clients offer when they will authenticate afterwards with CBS put-token
/// (like ANONYMOUS, the token follows on <c>$cbs</c>). ANONYMOUS is accepted too, for other AMQP clients.
/// </summary>
internal sealed class CbsSaslProfile() : SaslProfile(Name)
{
    public static readonly Symbol Name = new("MSSBCBS");

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    protected override DescribedList GetStartCommand(string hostname) => new SaslInit { Mechanism = Name };

    protected override DescribedList OnCommand(DescribedList command)
        => command is SaslInit ? new SaslOutcome { Code = SaslCode.Ok } : throw new AmqpException(ErrorCode.NotAllowed, command.ToString());
}
