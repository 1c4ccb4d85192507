"""universal_extension.deco stand-in: the decorators mark a method with what it answers."""


def dynamic_choice_command(field_name):
    def mark(function):
        function.dynamic_choice_field = field_name
        return function
    return mark


def dynamic_command(command_name):
    def mark(function):
        function.dynamic_command_name = command_name
        return function
    return mark
