# The labs' files hold together: lab.json follows lab.schema.json, everything it names exists, every checkpoint names a
# check function of the lab, and nothing in the folder is left unused. No hub needed.
BeforeDiscovery {
    $labsRoot = Join-Path $PSScriptRoot '..' '..' 'labs'
    $script:Labs = @(Get-ChildItem -Directory $labsRoot -Filter 'lab*-*' | ForEach-Object {
            @{ Name = $_.Name; Path = $_.FullName; Id = [int] ($_.Name -replace '^lab(\d+)-.*$', '$1') }
        })
}

BeforeAll {
    $script:Schema = Join-Path $PSScriptRoot '..' '..' 'labs' 'lab.schema.json'
}

Describe 'Lab <Name>' -ForEach $script:Labs {
    BeforeAll {
        $script:Json = Get-Content -Raw (Join-Path $Path 'lab.json')
        $script:Lab = $script:Json | ConvertFrom-Json
        $script:Tasks = @($script:Lab.exercises | ForEach-Object { $exercise = $_; $_.tasks | ForEach-Object { $_ | Add-Member -PassThru -NotePropertyName Exercise -NotePropertyValue $exercise.number } })
    }

    It 'follows lab.schema.json, with the id of its folder' {
        Test-Json -Json $script:Json -SchemaFile $script:Schema -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeTrue -Because ($problems -join '; ')
        $script:Lab.id | Should -Be $Id
    }

    It 'numbers its tasks "exercise.task", each once' {
        $ids = $script:Tasks | ForEach-Object id
        $ids | Should -Be ($ids | Select-Object -Unique)
        foreach ($task in $script:Tasks) { $task.id | Should -BeLike "$($task.Exercise).*" }
    }

    It 'names instructions and scripts that exist, and uses every one of them' {
        $named = @($script:Tasks | ForEach-Object { $_.instructions; $_.action.script }) | Where-Object { $_ } | Sort-Object -Unique
        foreach ($file in $named) { Join-Path $Path $file | Should -Exist }
        $present = @(Get-ChildItem (Join-Path $Path 'instructions'), (Join-Path $Path 'scripts') -File |
                ForEach-Object { "$($_.Directory.Name)/$($_.Name)" })
        $present | Where-Object { $_ -notin $named } | Should -BeNullOrEmpty -Because 'every instructions file and script belongs to a task'
    }

    It 'has a grader and a check function for every checkpoint' {
        $checks = Join-Path $Path "Lab$Id.Checks.ps1"
        $checks | Should -Exist
        Join-Path $Path "Lab$Id.Tests.ps1" | Should -Exist
        $names = @($script:Tasks | ForEach-Object { $_.checkpoint.check } | Where-Object { $_ } | Sort-Object -Unique)
        $names | Should -Not -BeNullOrEmpty
        # A fresh scope, so the functions come from this lab's file alone.
        $found = & {
            . $checks
            foreach ($name in $names) { if (Get-Command $name -CommandType Function -ErrorAction SilentlyContinue) { $name } }
        }
        $found | Should -Be $names
    }
}

Describe 'lab.schema.json' {
    It 'refuses an action the runner does not know and a task id that is not "exercise.task"' {
        $lab = '{"id":1,"title":"t","summary":"s","devices":["d"],"exercises":[{"number":1,"title":"e","tasks":[{"id":"1.1","title":"t","instructions":"i.md","action":{"kind":"halt"}}]}]}'
        Test-Json -Json $lab -SchemaFile $script:Schema -ErrorAction SilentlyContinue | Should -BeFalse
        Test-Json -Json ($lab -replace '"halt"', '"stop"') -SchemaFile $script:Schema | Should -BeTrue
        Test-Json -Json ($lab -replace '"1.1"', '"step-1"' -replace '"halt"', '"stop"') -SchemaFile $script:Schema -ErrorAction SilentlyContinue | Should -BeFalse
    }
}
