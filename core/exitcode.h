#pragma once

// The exit codes that UAC reads; their values are part of the task contract.
enum class ExitCode : int {
    Success = 0,
    Failure = 1,
    DataValidationError = 20,
    PollingTimeout = 40,
};
