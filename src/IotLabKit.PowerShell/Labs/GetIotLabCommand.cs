using System.Management.Automation;
using IotLabKit.Labs.Catalog;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;

namespace IotLabKit.PowerShell.Labs;

/// <summary>Lists the labs, or with -Lab the exercises and tasks (steps) of one lab.</summary>
[Cmdlet(VerbsCommon.Get, "IotLab")]
[OutputType(typeof(LabInfo), typeof(LabStepInfo))]
public sealed class GetIotLabCommand : LabCmdlet
{
    /// <summary>The lab's number (15, 16); its tasks are returned.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int? Lab { get; set; }

    /// <summary>Folders to search for labs before IOTLABKIT_LABS_PATH and the module's own labs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LabPath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Lab is { } id)
        {
            var lab = ResolveLab(id, LabPath);
            foreach (var exercise in lab.Exercises)
            {
                foreach (var task in exercise.Tasks) WriteObject(LabStepInfo.From(lab, exercise, task));
            }
            return;
        }
        var labs = LabCatalog.LoadAll(LabRoots(LabPath), broken => WriteError(ErrorRecordFactory.Create(CommandId, "InvalidDefinition",
            ErrorCategory.InvalidData, broken.Message, broken.Path,
            recommendedAction: "Fix the lab.json problems listed (labs/README.md describes the format).")));
        foreach (var lab in labs) WriteObject(LabInfo.From(lab));
    }
}
