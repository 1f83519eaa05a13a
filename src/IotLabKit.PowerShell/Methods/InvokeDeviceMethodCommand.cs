using System.Diagnostics;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Methods;

/// <summary>
/// Invokes a direct method on devices and returns each device's answer (status and payload). A device's own status
/// — 400, 404, 500, 501 … — is data in the result; only failures to get an answer are errors: the device is not
/// online or not listening for methods (IoT Hub 404103), or it did not answer in time (504101).
/// </summary>
/// <remarks>
/// SupportsShouldProcess with ConfirmImpact Medium: a method changes the device (reboot, factoryReset), so -WhatIf
/// shows what would be called and -Confirm asks; by default ($ConfirmPreference High) it does not ask.
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "DeviceMethod", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DeviceMethodResult))]
public sealed class InvokeDeviceMethodCommand : HubCmdlet
{
    /// <summary>How long to wait before showing progress for a call.</summary>
    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(1);

    /// <summary>The device to call.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>The method's name, as the device registered it (case-sensitive).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(MethodNameCompleter))]
    [Alias("MethodName")]
    public string Name { get; set; } = "";

    /// <summary>
    /// The payload: a hashtable or PSCustomObject (a JSON object), a list (an array), a number or boolean, text that
    /// is valid JSON (sent as written), or other text (sent as a JSON string). Omit it to send null.
    /// </summary>
    [Parameter(Position = 2)]
    [AllowNull]
    public object? Payload { get; set; }

    /// <summary>Seconds the hub waits for the device's answer (5–300; default 30).</summary>
    [Parameter]
    [ValidateRange(5, 300)]
    [Alias("ResponseTimeoutInSeconds")]
    public int ResponseTimeout { get; set; } = 30;

    /// <summary>Seconds the hub waits for an offline device to connect (0–300; default 0: it must be online now).</summary>
    [Parameter]
    [ValidateRange(0, 300)]
    [Alias("ConnectTimeoutInSeconds")]
    public int ConnectTimeout { get; set; }

    private string? _payloadJson;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try
        {
            _payloadJson = MethodPayload.ToJson(Payload);
        }
        catch (ArgumentException ex)
        {
            Fail("InvalidPayload", ErrorCategory.InvalidArgument, ex.Message, Payload, ex);
        }
        base.BeginProcessing();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(DeviceId, $"Invoke direct method '{Name}'" + (_payloadJson is null ? "" : $" with payload {_payloadJson}"))) return;
        CloudToDeviceMethod method;
        try
        {
            method = new CloudToDeviceMethod(Name, TimeSpan.FromSeconds(ResponseTimeout), TimeSpan.FromSeconds(ConnectTimeout))
                .SetPayloadJson(_payloadJson);
        }
        catch (ArgumentException ex)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "InvalidArgument", ErrorCategory.InvalidArgument, ex.Message, DeviceId, ex));
            return;
        }
        var clock = Stopwatch.StartNew();
        try
        {
            var result = InvokeWithProgress(method);
            WriteObject(DeviceMethodResult.From(DeviceId, Name, result.Status, result.GetPayloadAsJson(), clock.Elapsed));
        }
        catch (DeviceNotOnlineException ex)
        {
            WriteError(ErrorRecordFactory.DeviceNotOnline(CommandId, DeviceId, ConnectTimeout, ex));
        }
        catch (IotHubTimeoutException ex) when (ex.StatusCode == 504)
        {
            WriteError(ErrorRecordFactory.MethodTimeout(CommandId, DeviceId, Name, ResponseTimeout, ex));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }

    /// <summary>Waits for the answer, showing progress when it takes more than a moment (a call may wait minutes).</summary>
    private CloudToDeviceMethodResult InvokeWithProgress(CloudToDeviceMethod method)
    {
        var longest = ConnectTimeout + ResponseTimeout;
        return ProgressWait.Run(ct => Connection.Service.InvokeDeviceMethodAsync(DeviceId, method, ct),
            new ProgressRecord(2, $"Invoke-DeviceMethod {Name}", $"Waiting for '{DeviceId}' to answer"), ProgressAfter,
            waited => ($"Waiting for '{DeviceId}' to answer ({(int)waited.TotalSeconds} s of up to {longest} s)",
                (int)waited.TotalSeconds * 100 / Math.Max(1, longest)),
            WriteProgress, CancelToken);
    }
}
