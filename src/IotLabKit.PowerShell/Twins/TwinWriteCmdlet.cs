using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Twins;

/// <summary>
/// What Set-TwinDesired and Set-TwinTags share: parse -Properties, then PATCH the section (merge; null deletes)
/// or, with -Replace, PUT it whole while keeping the twin's other section as it is.
/// </summary>
public abstract class TwinWriteCmdlet : HubCmdlet
{
    /// <summary>The device whose twin to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>
    /// The properties: a hashtable, ordered dictionary, PSCustomObject or JSON text. Dotted keys are paths
    /// ('a.b' = 1 is { a: { b: 1 } }); $null deletes a property.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1)]
    [AllowEmptyCollection]
    public object Properties { get; set; } = null!;

    /// <summary>Only change the twin if its ETag still is this one; "*" (default) changes it whatever its ETag.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ETag { get; set; } = "*";

    /// <summary>Replaces the whole section with -Properties: properties not given are deleted.</summary>
    [Parameter]
    public SwitchParameter Replace { get; set; }

    /// <summary>With -Replace, replaces without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The section's name as the user sees it ("desired properties", "tags").</summary>
    private protected abstract string SectionName { get; }

    /// <summary>Wraps the section's content in a twin document.</summary>
    private protected abstract JsonObject Wrap(JsonObject section);

    /// <summary>The other section of an existing twin, to keep on a replace.</summary>
    private protected abstract JsonObject KeepOnReplace(Twin current);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        JsonObject section;
        try { section = TwinPatchBuilder.Build(Properties); }
        catch (ArgumentException ex)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "InvalidProperties", ErrorCategory.InvalidArgument, ex.Message, DeviceId, ex));
            return;
        }
        try
        {
            var twin = Replace ? ReplaceSection(section) : PatchSection(section);
            if (twin is not null) WriteObject(TwinView.From(twin));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }

    private Twin? PatchSection(JsonObject section)
    {
        var body = Wrap(section).ToJsonString();
        if (!ShouldProcess(DeviceId, $"Update {SectionName}: {section.ToJsonString()}")) return null;
        return Await(ct => Registry.UpdateTwinAsync(DeviceId, body, ETag, ct));
    }

    private Twin? ReplaceSection(JsonObject section)
    {
        var current = Await(ct => Registry.GetTwinAsync(DeviceId, ct));
        if (current is null)
        {
            WriteError(Errors.ErrorRecordFactory.DeviceNotFound(CommandId, DeviceId));
            return null;
        }
        var body = Wrap(section);
        foreach (var (name, value) in KeepOnReplace(current).ToList())
        {
            body[name] = value?.DeepClone();
        }
        var text = $"Replace all {SectionName} with {section.ToJsonString()}; {SectionName} not given are deleted";
        if (!ShouldProcess(DeviceId, text)) return null;
        if (!Force && !ShouldContinue(
                $"This deletes every one of the {SectionName} of '{DeviceId}' that is not in -Properties. Continue?",
                $"Replace {SectionName}"))
            return null;
        // Guard the read-modify-write with the ETag just read unless the caller gave one.
        var etag = ETag == "*" ? current.ETag ?? "*" : ETag;
        return Await(ct => Registry.ReplaceTwinAsync(DeviceId, body.ToJsonString(), etag, ct));
    }
}
