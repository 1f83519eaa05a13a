# The quiz cmdlets against the module 8 quiz as the build ships it (out/IotLabKit/quizzes).
BeforeDiscovery {
    $script:Key = [ordered]@{ '8.1' = 'B'; '8.2' = 'A'; '8.3' = 'A'; '8.4' = 'B'; '8.5' = 'C'; '8.6' = 'C'; '8.7' = 'A'; '8.8' = 'A'; '8.9' = 'A' }
    $script:RightAnswers = foreach ($q in $Key.Keys) { @{ Question = $q; Answer = $Key[$q] } }
    $script:WrongAnswers = foreach ($q in $Key.Keys) {
        foreach ($letter in 'A', 'B', 'C' | Where-Object { $_ -ne $Key[$q] }) { @{ Question = $q; Answer = $letter; Correct = $Key[$q] } }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:Key = [ordered]@{ '8.1' = 'B'; '8.2' = 'A'; '8.3' = 'A'; '8.4' = 'B'; '8.5' = 'C'; '8.6' = 'C'; '8.7' = 'A'; '8.8' = 'A'; '8.9' = 'A' }
    $script:SourcePath = Join-Path $RepoRoot 'quizzes' 'source' 'module-08.quiz.json'
    $script:Source = Get-Content -Raw $SourcePath | ConvertFrom-Json -AsHashtable
    $script:Explanation = @{}
    foreach ($q in $Source.questions) { $Explanation[$q.id] = $q.explanation }
    $script:ShippedDir = Join-Path (Split-Path (Get-Module IotLabKit).Path) 'quizzes'

    function Get-ErrorRecord([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function Write-Answers([string] $Name, [string] $Json) {
        $path = Join-Path $TestDrive $Name
        Set-Content -LiteralPath $path -Value $Json -NoNewline
        $path
    }

    function Assert-ErrorRecord($Record, [string] $Id, [string] $Category, [string] $Message) {
        $Record | Should -Not -BeNullOrEmpty -Because 'the command should have failed'
        $Record.FullyQualifiedErrorId | Should -BeLike "$Id,IotLabKit.PowerShell.Quiz.*"
        $Record.CategoryInfo.Category | Should -Be $Category
        if ($Message) { $Record.Exception.Message | Should -Match $Message }
        # A clear message, never a .NET stack trace.
        $Record.Exception.Message | Should -Not -Match '\bat IotLabKit\.|\bat System\.'
    }

    # The child pwsh used for host tests: `dotnet pwsh.dll` when we run under the dotnet tool, else pwsh itself.
    function Invoke-ChildPwsh([string[]] $Arguments, [switch] $RedirectInput) {
        $exe = [Environment]::ProcessPath
        $prefix = @(if ((Split-Path $exe -Leaf) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
        if ($RedirectInput) { '' | & $exe @prefix @Arguments 2>&1 } else { & $exe @prefix @Arguments 2>&1 }
    }
}

Describe 'Get-IotQuiz' {
    It 'lists the shipped module 8 quiz' {
        $quiz = Get-IotQuiz | Where-Object Id -eq 'module-08'
        $quiz.PSTypeNames | Should -Contain 'IotLabKit.Quizzes.Quiz'
        $quiz.QuestionCount | Should -Be 9
        $quiz.MaxScore | Should -Be 9
        $quiz.Path | Should -BeLike '*module-08.quiz.sealed.json'
    }

    It 'gets one quiz with its questions and options but no answers or explanations' {
        $quiz = Get-IotQuiz -Quiz module-08
        $quiz.Questions.Question | Should -Be @($Key.Keys)
        $first = $quiz.Questions[0]
        $first.Text | Should -Be $Source.questions[0].text
        $first.Options.Letter | Should -Be @('A', 'B', 'C')
        $first.Options[1].Text | Should -Be 'Direct Methods and Device Twins'
        foreach ($question in $quiz.Questions) {
            $question.PSObject.Properties.Name | Where-Object { $_ -match 'answer|explanation|correct' } | Should -BeNullOrEmpty
        }
        ($quiz | Format-List | Out-String) | Should -Match '8\.9\s+Which of the following statements about automatic device management'
    }

    It 'matches wildcards and says nothing when a wildcard matches nothing' {
        (Get-IotQuiz 'module-0*').Id | Should -Be 'module-08'
        Get-IotQuiz 'nothing-*' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'reports an unknown quiz' {
        $err = Get-ErrorRecord { Get-IotQuiz -Quiz module-99 -ErrorAction Stop }
        Assert-ErrorRecord $err 'GetIotQuizQuizNotFound' 'ObjectNotFound' "no quiz 'module-99'.*module-08"
    }

    It 'reads a quiz from -Path: a sealed file, a folder, or a source built in memory' {
        (Get-IotQuiz -Path (Join-Path $ShippedDir 'module-08.quiz.sealed.json')).Id | Should -Be 'module-08'
        (Get-IotQuiz -Path $ShippedDir).Id | Should -Contain 'module-08'
        $fromSource = Get-IotQuiz -Path $SourcePath
        $fromSource.Id | Should -Be 'module-08'
        (Test-IotQuizAnswer -Path $SourcePath -Question 8.5 -Answer C).IsCorrect | Should -BeTrue
    }

    It 'reports a missing path' {
        $err = Get-ErrorRecord { Get-IotQuiz -Path (Join-Path $TestDrive 'missing.quiz.sealed.json') -ErrorAction Stop }
        Assert-ErrorRecord $err 'GetIotQuizQuizFileNotFound' 'ObjectNotFound' 'No quiz file or folder'
    }
}

Describe 'Test-IotQuizAnswer' {
    It 'accepts <Answer> for <Question> and explains it' -ForEach $RightAnswers {
        $result = Test-IotQuizAnswer -Quiz module-08 -Question $Question -Answer $Answer
        $result.PSTypeNames | Should -Contain 'IotLabKit.Quizzes.Grading.QuizAnswerResult'
        $result.IsCorrect | Should -BeTrue
        $result.CorrectAnswer | Should -Be $Answer
        $result.Explanation | Should -Be $Explanation[$Question]
    }

    It 'rejects <Answer> for <Question>, names <Correct> and explains why' -ForEach $WrongAnswers {
        $result = Test-IotQuizAnswer -Quiz module-08 -Question $Question -Answer $Answer
        $result.IsCorrect | Should -BeFalse
        $result.Answer | Should -Be $Answer
        $result.CorrectAnswer | Should -Be $Correct
        $result.Explanation | Should -Be $Explanation[$Question]
        $result.Awarded | Should -Be 0
    }

    It 'accepts lower case and surrounding spaces' {
        (Test-IotQuizAnswer module-08 8.3 ' a ').IsCorrect | Should -BeTrue
    }

    It 'takes questions from the pipeline' {
        $results = (Get-IotQuiz module-08).Questions | Select-Object -First 2 | Test-IotQuizAnswer -Answer B
        $results.IsCorrect | Should -Be @($true, $false)
    }

    It 'reports an unknown question' {
        $err = Get-ErrorRecord { Test-IotQuizAnswer -Quiz module-08 -Question 8.10 -Answer A }
        Assert-ErrorRecord $err 'TestIotQuizAnswerQuestionNotFound' 'ObjectNotFound' "no question '8\.10'.*8\.1, 8\.2"
        $err.TargetObject | Should -Be '8.10'
    }

    It 'reports an option letter the question does not have' {
        $err = Get-ErrorRecord { Test-IotQuizAnswer -Quiz module-08 -Question 8.1 -Answer D }
        Assert-ErrorRecord $err 'TestIotQuizAnswerInvalidOption' 'InvalidArgument' "'D' is not an option of question 8\.1.*A, B, C"
    }

    It 'reports an unknown quiz' {
        $err = Get-ErrorRecord { Test-IotQuizAnswer -Quiz nope -Question 8.1 -Answer A }
        Assert-ErrorRecord $err 'TestIotQuizAnswerQuizNotFound' 'ObjectNotFound'
    }
}

Describe 'Submit-IotQuiz' {
    It 'scores all nine right answers 9/9' {
        $score = Submit-IotQuiz -Quiz module-08 -Answers ([hashtable] $Key)
        $score.PSTypeNames | Should -Contain 'IotLabKit.Quizzes.Grading.QuizScore'
        $score.Score | Should -Be 9
        $score.MaxScore | Should -Be 9
        $score.Percent | Should -Be 100
        $score.Correct | Should -Be 9
        $score.Results.IsCorrect | Should -Not -Contain $false
    }

    It 'detects a wrong answer to <Question> with its explanation' -ForEach $WrongAnswers {
        $answers = [hashtable] $Key
        $answers[$Question] = $Answer
        $score = Submit-IotQuiz -Quiz module-08 -Answers $answers
        $score.Score | Should -Be 8
        $wrong = @($score.Results | Where-Object { -not $_.IsCorrect })
        $wrong.Count | Should -Be 1
        $wrong[0].Question | Should -Be $Question
        $wrong[0].CorrectAnswer | Should -Be $Correct
        $wrong[0].Explanation | Should -Be $Explanation[$Question]
    }

    It 'counts an unanswered question as wrong' {
        $answers = [hashtable] $Key
        $answers.Remove('8.4')
        $score = Submit-IotQuiz -Quiz module-08 -Answers $answers
        $score.Score | Should -Be 8
        $score.Answered | Should -Be 8
        ($score.Results | Where-Object Question -eq '8.4').Answer | Should -BeNullOrEmpty
    }

    It 'reads an answers file, takes the quiz from it, and writes a result that is itself an answers file' {
        $answers = [ordered]@{} + $Key
        $answers['8.2'] = 'C'
        $path = Write-Answers 'ada.json' (@{ quiz = 'module-08'; student = 'Ada'; answers = $answers } | ConvertTo-Json)
        $out = Join-Path $TestDrive 'results' 'ada.result.json'
        $score = Submit-IotQuiz -Path $path -OutputPath $out
        $score.Student | Should -Be 'Ada'
        $score.Score | Should -Be 8
        $score.OutputPath | Should -Be $out
        $written = Get-Content -Raw $out | ConvertFrom-Json
        $written.score | Should -Be 8
        $written.maxScore | Should -Be 9
        ($written.results | Where-Object question -eq '8.2').correctAnswer | Should -Be 'A'
        (Submit-IotQuiz -Path $out).Score | Should -Be 8
    }

    It 'grades a folder of answers files and reports the bad one without stopping' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'class') -Force
        @{ quiz = 'module-08'; answers = $Key } | ConvertTo-Json | Set-Content (Join-Path $dir 'a.json')
        '{ "quiz": "module-08", "answers": [ "B" ] }' | Set-Content (Join-Path $dir 'b.json')
        $scores = Submit-IotQuiz -Path (Join-Path $dir '*.json') -ErrorVariable failures -ErrorAction SilentlyContinue
        @($scores).Count | Should -Be 1
        $scores.Score | Should -Be 9
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubmitIotQuizAnswersFileInvalid,*'
    }

    It 'reports malformed answers files: <Case>' -ForEach @(
        @{ Case = 'not JSON'; Json = "{ `"answers`": {`n  `"8.1`": `"B`",,`n} }"; Message = 'line 2' }
        @{ Case = 'an array'; Json = '[ "B", "A" ]'; Message = 'line 1, column 1.*JSON object.*found an array' }
        @{ Case = 'no answers'; Json = '{ "8.1": "B" }'; Message = "no 'answers' property" }
        @{ Case = 'answers not an object'; Json = '{ "answers": "B,A,A" }'; Message = "'answers' must be an object.*found a string" }
        @{ Case = 'a number as answer'; Json = '{ "answers": { "8.1": 2 } }'; Message = "answer to '8\.1' must be an option letter.*found a number" }
        @{ Case = 'empty file'; Json = ''; Message = 'not valid JSON' }
    ) {
        $path = Write-Answers "bad-$($Case -replace '\W', '-').json" $Json
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Path $path -ErrorAction Stop }
        Assert-ErrorRecord $err 'SubmitIotQuizAnswersFileInvalid' 'InvalidData' $Message
        $err.Exception.Message | Should -Match ([regex]::Escape($path))
    }

    It 'reports a missing answers file' {
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Path (Join-Path $TestDrive 'nobody.json') -ErrorAction Stop }
        Assert-ErrorRecord $err 'SubmitIotQuizAnswersFileNotFound' 'ObjectNotFound' 'No answers file'
    }

    It 'reports an unknown question' {
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Answers @{ '8.1' = 'B'; '9.1' = 'A' } }
        Assert-ErrorRecord $err 'SubmitIotQuizQuestionNotFound' 'ObjectNotFound' "no question '9\.1'"
    }

    It 'reports an invalid option letter, naming the question' {
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Answers @{ '8.1' = 'B'; '8.2' = 'Z' } }
        Assert-ErrorRecord $err 'SubmitIotQuizInvalidOption' 'InvalidArgument' "Question 8\.2: 'Z' is not an option"
    }

    It 'reports an answer that is not a letter in -Answers' {
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Answers @{ '8.1' = 2 } }
        Assert-ErrorRecord $err 'SubmitIotQuizInvalidOption' 'InvalidArgument' "answer to '8\.1' must be an option letter"
    }

    It 'reports an answers file written for another quiz' {
        $path = Write-Answers 'other.json' '{ "quiz": "module-09", "answers": { "8.1": "B" } }'
        $err = Get-ErrorRecord { Submit-IotQuiz -Quiz module-08 -Path $path -ErrorAction Stop }
        Assert-ErrorRecord $err 'SubmitIotQuizAnswersQuizMismatch' 'InvalidArgument' "for quiz 'module-09', not 'module-08'"
    }
}

Describe 'The shipped quiz files' {
    BeforeAll {
        $script:Shipped = Get-ChildItem $ShippedDir -Filter '*.quiz.sealed.json'
    }

    It 'include module 8' {
        $Shipped.Name | Should -Contain 'module-08.quiz.sealed.json'
    }

    It 'do not contain the answer key or any explanation in plain form' {
        foreach ($file in $Shipped) {
            $text = Get-Content -Raw $file.FullName
            $text | Should -Not -Match '"answer"\s*:'
            foreach ($q in $Source.questions) {
                $text.Contains($q.explanation) | Should -BeFalse
                # Any distinctive part of an explanation, not only the whole text.
                foreach ($sentence in $q.explanation -split '(?<=\.)\s+' | Where-Object Length -gt 25) {
                    $text.Contains($sentence) | Should -BeFalse -Because "'$sentence' must not be readable in $($file.Name)"
                }
            }
            $json = $text | ConvertFrom-Json -AsHashtable
            foreach ($question in $json.questions) {
                @($question.Keys | Sort-Object) | Should -Be @('id', 'options', 'points', 'seal', 'shuffleOptions', 'tags', 'text')
                @($question.seal.Keys | Sort-Object) | Should -Be @('check', 'explanation', 'salt')
                # The only plain letters are the option names themselves.
                foreach ($value in $question.tags + $question.id + $question.text) { $value | Should -Not -Match '^[A-H]$' }
            }
        }
    }

    It 'give the same seal for every letter only to the correct one' {
        # Same question, three letters: exactly one matches, so the key is not readable from the options' order.
        $matches = foreach ($letter in 'A', 'B', 'C') { (Test-IotQuizAnswer module-08 8.5 $letter).IsCorrect }
        @($matches | Where-Object { $_ }).Count | Should -Be 1
    }

    It 'refuse to grade when the answer key was tampered with' {
        $json = Get-Content -Raw (Join-Path $ShippedDir 'module-08.quiz.sealed.json') | ConvertFrom-Json -AsHashtable
        $json.questions[0].seal.check = [Convert]::ToBase64String([byte[]]::new(32))
        $copy = Join-Path $TestDrive 'tampered.quiz.sealed.json'
        $json | ConvertTo-Json -Depth 10 | Set-Content $copy
        $err = Get-ErrorRecord { Test-IotQuizAnswer -Path $copy -Question 8.1 -Answer B }
        Assert-ErrorRecord $err 'TestIotQuizAnswerQuizFileInvalid' 'InvalidData' 'matches none of its options'
    }
}

Describe 'Build-IotQuiz' {
    It 'builds the shipped file byte for byte from the source (reproducible)' {
        $out = Join-Path $TestDrive 'built'
        $quiz = Build-IotQuiz -Path $SourcePath -OutputPath $out
        $quiz.Id | Should -Be 'module-08'
        $built = Join-Path $out 'module-08.quiz.sealed.json'
        (Get-FileHash $built).Hash | Should -Be (Get-FileHash (Join-Path $ShippedDir 'module-08.quiz.sealed.json')).Hash
        (Test-IotQuizAnswer -Path $built -Question 8.9 -Answer A).IsCorrect | Should -BeTrue
    }

    It 'builds an instructor''s own quiz that Get-IotQuiz, Submit-IotQuiz and Start-IotQuiz -Path accept' {
        $src = Join-Path $TestDrive 'mine.quiz.json'
        @{
            id        = 'my-quiz'; title = 'My quiz'
            questions = @(
                @{ id = 'q1'; text = 'Two plus two?'; options = [ordered]@{ A = 'Three'; B = 'Four' }; answer = 'B'; explanation = 'Four: it is arithmetic.'; points = 2 }
                @{ id = 'q2'; text = 'Sky colour?'; options = [ordered]@{ A = 'Blue'; B = 'Green'; C = 'Red' }; answer = 'A'; explanation = 'Blue, because of Rayleigh scattering.' }
            )
        } | ConvertTo-Json -Depth 5 | Set-Content $src
        $out = Join-Path $TestDrive 'mine'
        Build-IotQuiz $src $out | Out-Null
        $quiz = Get-IotQuiz -Path $out
        $quiz.Id | Should -Be 'my-quiz'
        $quiz.MaxScore | Should -Be 3
        $score = Submit-IotQuiz -QuizPath $out -Quiz my-quiz -Answers @{ q1 = 'B'; q2 = 'C' }
        $score.Score | Should -Be 2
        $score.Percent | Should -Be 66.7
        (Get-Content -Raw (Join-Path $out 'my-quiz.quiz.sealed.json')).Contains('Rayleigh') | Should -BeFalse
    }

    It 'fails an invalid source with the line and field of each error, and writes nothing' {
        $src = Join-Path $TestDrive 'broken.quiz.json'
        Set-Content $src -Value @'
{
  "id": "Broken Quiz",
  "title": "Broken",
  "questions": [
    { "id": "1", "text": "Q?", "options": { "A": "x", "B": "y" }, "answer": "D", "explanation": "Because." },
    { "id": "1", "text": "Q2?", "options": { "A": "x", "C": "y" }, "answer": "A", "explaination": "typo" }
  ]
}
'@
        $out = Join-Path $TestDrive 'broken-out'
        $result = Build-IotQuiz $src $out -ErrorVariable errs -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        Test-Path $out | Should -BeFalse
        $messages = $errs | ForEach-Object { $_.Exception.Message }
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'BuildIotQuizSourceInvalid,*'; $_.CategoryInfo.Category | Should -Be 'InvalidData' }
        $messages | Should -Contain "$src(2,9): error QZ0010: id: 'Broken Quiz' is not a valid quiz id: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. module-08)."
        ($messages -match '\(5,\d+\): error QZ0041: questions\[0\]\.answer: ''D'' is not one of the option letters \(A, B\)') | Should -Not -BeNullOrEmpty
        ($messages -match '\(6,\d+\): error QZ0031: questions\[1\]\.options\.C: .*expected ''B''') | Should -Not -BeNullOrEmpty
        ($messages -match '\(6,\d+\): error QZ0003: questions\[1\]\.explaination: Unknown property .*did you mean') | Should -Not -BeNullOrEmpty
        ($messages -match 'QZ0050: questions\[1\]\.explanation: Missing') | Should -Not -BeNullOrEmpty
    }

    It 'reports a JSON syntax error with its line' {
        $src = Join-Path $TestDrive 'syntax.quiz.json'
        Set-Content $src -Value "{`n  `"id`": `"x`",`n  `"title`": }`n"
        $err = Get-ErrorRecord { Build-IotQuiz $src (Join-Path $TestDrive 'x') -ErrorAction Stop }
        Assert-ErrorRecord $err 'BuildIotQuizSourceInvalid' 'InvalidData' '\(3,\d+\): error QZ0001: \$: The file is not valid JSON'
    }

    It 'warns when an explanation names an option by letter, because -Shuffle reletters options' {
        $src = Join-Path $TestDrive 'letters.quiz.json'
        @{ id = 'letters'; title = 'L'; questions = @(@{ id = '1'; text = 'Q?'; options = [ordered]@{ A = 'x'; B = 'y' }; answer = 'A'; explanation = 'Option B is wrong.' }) } |
            ConvertTo-Json -Depth 5 | Set-Content $src
        Build-IotQuiz $src (Join-Path $TestDrive 'letters') -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings.Message | Should -Match 'QZ0100: questions\[0\]\.explanation: .*Option B'
    }

    It 'does nothing under -WhatIf' {
        $out = Join-Path $TestDrive 'whatif'
        Build-IotQuiz $SourcePath $out -WhatIf | Should -BeNullOrEmpty
        Test-Path $out | Should -BeFalse
    }
}

Describe 'Start-IotQuiz outside an interactive host' {
    It 'gives a clear error under pwsh -NonInteractive before asking anything' {
        $module = $StagedModule
        $script = "Import-Module '$module'; try { Start-IotQuiz module-08 } catch { 'ERR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.CategoryInfo.Category + ' ' + `$_.Exception.Message }"
        $output = (Invoke-ChildPwsh -Arguments @('-NoProfile', '-NonInteractive', '-Command', $script)) -join "`n"
        $output | Should -Match 'ERR StartIotQuizHostNotInteractive,IotLabKit\.PowerShell\.Quiz\.StartIotQuizCommand InvalidOperation'
        $output | Should -Match 'started with -NonInteractive.*Submit-IotQuiz'
        $output | Should -Not -Match 'Question 1 of'
    }

    It 'gives a clear error when standard input is redirected' {
        $module = $StagedModule
        $script = "Import-Module '$module'; try { Start-IotQuiz module-08 } catch { 'ERR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }"
        $output = (Invoke-ChildPwsh -Arguments @('-NoProfile', '-Command', $script) -RedirectInput) -join "`n"
        $output | Should -Match 'ERR StartIotQuizHostNotInteractive,.*standard input is redirected'
    }

    It 'reports an unknown quiz before checking the host' {
        $err = Get-ErrorRecord { Start-IotQuiz -Quiz module-99 }
        Assert-ErrorRecord $err 'StartIotQuizQuizNotFound' 'ObjectNotFound'
    }
}
