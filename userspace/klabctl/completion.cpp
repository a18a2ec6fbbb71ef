// SPDX-License-Identifier: GPL-2.0
#include "completion.hpp"

#include "hipac.hpp"
#include "module.hpp"

#include <ostream>
#include <sstream>

namespace klab {

namespace {

// Positional arguments naming things the kernel lists, and the klabctl
// command that lists them ("-j" output, the values of @key).  Verbs that
// create a new name are left out.
struct KernelNames {
    const char *command;    // the command path the verb is under
    const char *positional; // the positional argument's name
    const char *key;        // the JSON key holding the names
    const char *list;       // the listing command
};

const KernelNames kKernelNames[] = {
    {"slab", "name", "name", "slab list"},               // caches
    {"chardev blk", "name", "name", "chardev blk list"}, // block devices
    {"igb", "name", "name", "igb show"},                 // NICs
    {"sched", "run", "run", "sched list"},               // runs
};

bool creates_name(const std::string &path)
{
    std::string verb = path.substr(path.rfind(' ') + 1);

    return verb == "create" || verb == "add";
}

const KernelNames *kernel_names(const CommandNode &n)
{
    if (creates_name(n.path))
        return nullptr;
    for (const KernelNames &k : kKernelNames) {
        std::string parent = std::string(k.command) + " ";
        if (n.path.rfind(parent, 0) != 0)
            continue;
        for (const CLI::Option *opt : n.app->get_options())
            if (!opt->nonpositional() && opt->get_name() == k.positional)
                return &k;
    }
    return nullptr;
}

// The names of @n's options ("-j --json ..."), or only of those taking a value
std::string option_names(const CommandNode &n, bool values_only)
{
    std::string w;

    for (const CLI::Option *opt : n.app->get_options()) {
        if (values_only && (!opt->nonpositional() || opt->get_expected_max() == 0))
            continue;
        for (const std::string &s : opt->get_snames())
            w += " -" + s;
        for (const std::string &l : opt->get_lnames())
            w += " --" + l;
    }
    return w;
}

// Subcommands and option names of a command, as one word list
std::string words(const CommandNode &n)
{
    std::string w;

    for (const CLI::App *sub : n.app->get_subcommands([](const CLI::App *) { return true; }))
        w += " " + sub->get_name();
    w += option_names(n, false);
    return w.empty() ? w : w.substr(1);
}

// Options of a command that take a value (completed as file names)
std::string value_options(const CommandNode &n)
{
    std::string w = option_names(n, true);

    return w.empty() ? w : w.substr(1);
}

bool takes_file(const CommandNode &n)
{
    for (const CLI::Option *opt : n.app->get_options())
        if (!opt->nonpositional() && opt->get_name() == "file")
            return true;
    return false;
}

void emit_case(std::ostream &s, const char *fn, const std::vector<CommandNode> &tree,
               std::string (*value)(const CommandNode &))
{
    s << fn << "()\n{\n\tcase \"$1\" in\n";
    for (const CommandNode &n : tree) {
        std::string v = value(n);
        if (!v.empty())
            s << "\t'" << n.path << "') echo '" << v << "' ;;\n";
    }
    s << "\tesac\n}\n\n";
}

// The part of the script that does not depend on the tree
const char *const kDriver = R"SH(# names the kernel lists: KEY from "klabctl -j LIST..." output
_klabctl_list()
{
	local key=$1
	shift
	"$_klabctl_prog" -j "$@" 2>/dev/null |
		grep -o "\"$key\": *\"\{0,1\}[^,}\"]*" | sed 's/^[^:]*: *"\{0,1\}//'
}

# nf_hipac's chains, from the -N and -P lines of "klabctl hipac -S"
_klabctl_chains()
{
	"$_klabctl_prog" hipac -S 2>/dev/null | sed -n 's/^-[NP] \([^ ]*\).*/\1/p'
}

_klabctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local path= w i
	local _klabctl_prog=${COMP_WORDS[0]}

	# nf-hipac ARGS is klabctl hipac ARGS
	if [[ ${_klabctl_prog##*/} == nf-hipac ]]; then
		path=hipac
		_klabctl_prog=${_klabctl_prog%nf-hipac}klabctl
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* ]] && continue
		[[ " $(_klabctl_words "$path") " == *" $w "* ]] && path=${path:+$path }$w
	done

	COMPREPLY=()
	if [[ $path == hipac ]]; then
		case $prev in
		-[AIDRFLSNXEPZ] | --append | --insert | --delete | --replace | --flush | \
			--list | --list-rules | --new-chain | --delete-chain | --rename-chain | \
			--policy | --zero)
			mapfile -t COMPREPLY < <(compgen -W "$(_klabctl_chains)" -- "$cur")
			return
			;;
		esac
	fi
	if [[ " $(_klabctl_value_options "$path") " == *" $prev "* ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(_klabctl_words "$path") $(_klabctl_names "$path")" -- "$cur")
	if _klabctl_takes_file "$path"; then
		mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- "$cur")
	fi
}

complete -F _klabctl klabctl nf-hipac
)SH";

} // namespace

std::vector<CommandNode> command_tree(const CLI::App &root)
{
    std::vector<CommandNode> tree{{"", &root}};

    // tree grows while it is walked: index, not iterator
    for (size_t i = 0; i < tree.size(); i++) {
        for (const CLI::App *sub :
             tree[i].app->get_subcommands([](const CLI::App *) { return true; })) {
            std::string path =
                tree[i].path.empty() ? sub->get_name() : tree[i].path + " " + sub->get_name();
            tree.push_back({path, sub});
        }
    }
    return tree;
}

std::string bash_completion(const CLI::App &root)
{
    std::vector<CommandNode> tree = command_tree(root);
    std::ostringstream s;

    s << "# bash completion for klabctl and " << hipac::kProgramName
      << ", generated by \"klabctl completion\" from klabctl's command definitions\n\n";
    emit_case(s, "_klabctl_words", tree, words);
    emit_case(s, "_klabctl_value_options", tree, value_options);

    s << "_klabctl_names()\n{\n\tcase \"$1\" in\n";
    for (const CommandNode &n : tree)
        if (const KernelNames *k = kernel_names(n))
            s << "\t'" << n.path << "') _klabctl_list " << k->key << " " << k->list << " ;;\n";
    s << "\tesac\n}\n\n";

    s << "_klabctl_takes_file()\n{\n\tcase \"$1\" in\n";
    for (const CommandNode &n : tree)
        if (takes_file(n))
            s << "\t'" << n.path << "') return 0 ;;\n";
    s << "\tesac\n\treturn 1\n}\n\n";

    s << kDriver;
    return s.str();
}

void add_completion(CLI::App &cmd, Cli &cli)
{
    cmd.callback([&cli, &cmd] {
        cli.action = [&cli, &cmd] {
            const CLI::App *root = &cmd;
            while (root->get_parent())
                root = root->get_parent();
            cli.out << bash_completion(*root);
        };
    });
}

} // namespace klab
