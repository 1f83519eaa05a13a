using System.Collections;
using System.Globalization;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.CloudToDevice;

/// <summary>
/// Sends a cloud-to-device message to devices (over AMQP, as IoT Hub takes them) and, with -Wait, waits for the hub's
/// feedback on it: Success when the device took it, or Expired, DeliveryCountExceeded, Rejected, Purged.
/// </summary>
/// <remarks>ConfirmImpact Medium: a message reaches a device and may make it act, so -WhatIf and -Confirm apply.</remarks>
[Cmdlet(VerbsCommunications.Send, "CloudToDeviceMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CloudToDeviceMessageResult))]
public sealed class SendCloudToDeviceMessageCommand : HubCmdlet
{
    /// <summary>The device to send to.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>
    /// The body: text (sent as UTF-8, as written), bytes (as they are), or any other value — hashtable,
    /// PSCustomObject, list, number — sent as its JSON with content type application/json.
    /// </summary>
    [Parameter(Position = 1)]
    [AllowNull]
    public object? Body { get; set; }

    /// <summary>Application properties (names and values as text); the device sees them in the message's property bag.</summary>
    [Parameter]
    [ValidateNotNull]
    [Alias("Properties")]
    public Hashtable? Property { get; set; }

    /// <summary>The message id; a new GUID when omitted (feedback names it as originalMessageId).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MessageId { get; set; }

    /// <summary>The correlation id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CorrelationId { get; set; }

    /// <summary>The body's content type; application/json for object bodies when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentType { get; set; }

    /// <summary>The body's content encoding; utf-8 for text and object bodies when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentEncoding { get; set; }

    /// <summary>How long the message may wait for the device (seconds or a TimeSpan; up to 48 hours). Default: the hub's (1 hour on IoT Hub).</summary>
    [Parameter]
    [SecondsTransformation]
    [Alias("Ttl", "TimeToLive")]
    public TimeSpan? ExpiresIn { get; set; }

    /// <summary>The feedback to ask for: None, Positive, Negative or Full. Default None, or Full with -Wait.</summary>
    [Parameter]
    [ValidateSet("None", "Positive", "Negative", "Full", IgnoreCase = true)]
    public string? Ack { get; set; }

    /// <summary>Wait for the hub's feedback and report the outcome in Status.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits for feedback per message (seconds or a TimeSpan; default 60 s).</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan MaxTimeToLive = TimeSpan.FromHours(48);
    private byte[] _body = [];
    private string? _contentType;
    private string? _contentEncoding;
    private DeliveryAcknowledgement _ack;
    private FeedbackWaiter? _waiter;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try { (_body, _contentType, _contentEncoding) = MessageBody.From(Body); }
        catch (ArgumentException ex) { Fail("InvalidBody", ErrorCategory.InvalidArgument, ex.Message, Body, ex); }
        _contentType = ContentType ?? _contentType;
        _contentEncoding = ContentEncoding ?? _contentEncoding;
        _ack = (Ack ?? (Wait ? "Full" : "None")).ToLowerInvariant() switch
        {
            "positive" => DeliveryAcknowledgement.PositiveOnly,
            "negative" => DeliveryAcknowledgement.NegativeOnly,
            "full" => DeliveryAcknowledgement.Full,
            _ => DeliveryAcknowledgement.None,
        };
        if (Wait && _ack == DeliveryAcknowledgement.None)
            Fail("InvalidArgument", ErrorCategory.InvalidArgument, "-Wait waits for feedback, and -Ack None asks for none.", Ack,
                recommendedAction: "Leave out -Ack (-Wait then asks for Full), or use -Ack Positive, Negative or Full.");
        if (ExpiresIn is { } ttl && (ttl <= TimeSpan.Zero || ttl > MaxTimeToLive))
            Fail("InvalidArgument", ErrorCategory.InvalidArgument, $"-ExpiresIn must be more than 0 and at most 48 hours (IoT Hub's limit), not {ttl}.", ExpiresIn);
        if (Timeout <= TimeSpan.Zero)
            Fail("InvalidArgument", ErrorCategory.InvalidArgument, $"-Timeout must be more than 0, not {Timeout}.", Timeout);
        base.BeginProcessing();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var messageId = MessageId ?? Guid.NewGuid().ToString();
        var action = $"Send a cloud-to-device message ({_body.Length} bytes, id {messageId}, ack {AckName})";
        if (!ShouldProcess(DeviceId, action)) return;
        using var message = new Message(_body)
        {
            MessageId = messageId,
            CorrelationId = CorrelationId,
            ContentType = _contentType,
            ContentEncoding = _contentEncoding,
            Ack = _ack,
            ExpiryTimeUtc = ExpiresIn is { } ttl ? DateTime.UtcNow + ttl : DateTime.MinValue,
        };
        if (Property is not null)
            foreach (DictionaryEntry entry in Property)
                message.Properties[Text(entry.Key)] = Text(entry.Value);
        var sentTime = DateTime.Now;
        try
        {
            if (Wait) (_waiter ??= new FeedbackWaiter(Connection.Service)).Expect(messageId);
            Await(ct => Connection.Service.SendAsync(DeviceId, message, cancellationToken: ct));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
            return;
        }
        var result = new CloudToDeviceMessageResult
        {
            DeviceId = DeviceId,
            MessageId = messageId,
            CorrelationId = CorrelationId,
            Ack = AckName,
            SentTime = sentTime,
            BodyLength = _body.Length,
        };
        if (!Wait)
        {
            WriteObject(result.ToPSObject());
            return;
        }
        FeedbackRecord? feedback;
        try { feedback = WaitWithProgress(messageId); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
            return;
        }
        if (feedback is null)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "Timeout", ErrorCategory.OperationTimeout,
                $"No feedback on message '{messageId}' for device '{DeviceId}' within {Timeout.TotalSeconds:0.#} s; the message stays queued for the device.",
                DeviceId, null,
                "The device may be offline or not subscribed to cloud-to-device messages: connect it, give a longer -Timeout, or empty its queue with Clear-CloudToDeviceQueue."));
            return;
        }
        WriteObject(new CloudToDeviceMessageResult
        {
            DeviceId = result.DeviceId,
            MessageId = result.MessageId,
            CorrelationId = result.CorrelationId,
            Ack = result.Ack,
            SentTime = result.SentTime,
            BodyLength = result.BodyLength,
            Status = feedback.StatusCode.ToString(),
            Description = feedback.Description,
            OutcomeTimeUtc = feedback.EnqueuedTimeUtc,
        }.ToPSObject());
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        ReleaseWaiter();
        base.EndProcessing();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) ReleaseWaiter();
        base.Dispose(disposing);
    }

    private string AckName => _ack switch
    {
        DeliveryAcknowledgement.PositiveOnly => "Positive",
        DeliveryAcknowledgement.NegativeOnly => "Negative",
        DeliveryAcknowledgement.Full => "Full",
        _ => "None",
    };

    private void ReleaseWaiter()
    {
        if (Interlocked.Exchange(ref _waiter, null) is { } waiter) waiter.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private FeedbackRecord? WaitWithProgress(string messageId)
    {
        var waiter = _waiter!;
        return ProgressWait.Run(ct => waiter.WaitAsync(messageId, Timeout, ct),
            new ProgressRecord(4, "Send-CloudToDeviceMessage", $"Waiting for feedback on '{messageId}' from '{DeviceId}'"), TimeSpan.FromSeconds(1),
            waited => ($"Waiting for feedback on '{messageId}' from '{DeviceId}' ({waited.TotalSeconds:0} s of {Timeout.TotalSeconds:0} s)",
                (int)(100 * waited.TotalSeconds / Timeout.TotalSeconds)),
            WriteProgress, CancelToken);
    }

    private static string Text(object? value)
        => Convert.ToString(PowerShellJson.Unwrap(value), CultureInfo.InvariantCulture) ?? "";
}
