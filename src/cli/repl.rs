//! The interactive loop: rustyline with history, multi-line statements, Ctrl-C handling
//! (clears input; cancels a running query through the session's cancel flag) and a warning
//! before leaving with unsaved changes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use kg::script::{self, ScriptItem};
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Editor, EventHandler, KeyCode, KeyEvent, Modifiers, Word};

use super::continuation::{
    EnterHandler, GuardedKey, PromptGuard, strip_continuations, with_continuations,
};
use super::helper::{InterruptHandler, KgHelper};
use super::paint;
use super::shell::{Flow, Shell, Source};

const PROMPT: &str = "kg> ";
/// The prompt while a transaction is open (as cypher-shell's `neo4j#`), as wide as `PROMPT`.
const TRANSACTION_PROMPT: &str = "kg# ";

/// Runs the REPL until Ctrl-D, `:quit` or `:exit`.
pub fn run(shell: &mut Shell, history: Option<&str>) -> anyhow::Result<()> {
    let color = paint::no_color_unset();
    let config = Config::builder()
        // Added by hand below, so that a pasted statement gets its prompts like a typed one.
        .auto_add_history(false)
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let mut editor: Editor<KgHelper, FileHistory> = Editor::with_config(config)?;
    let mut helper = KgHelper::new(shell.schema().clone(), color);
    helper.procedures = shell
        .session
        .procedures()
        .iter()
        .map(|p| p.signature.name.clone())
        .collect();
    editor.set_helper(Some(helper));
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        EventHandler::Conditional(Box::new(EnterHandler)),
    );
    let guarded_keys: [(&[KeyEvent], GuardedKey); 10] = [
        (
            &[
                KeyEvent(KeyCode::Backspace, Modifiers::NONE),
                KeyEvent::ctrl('H'),
            ],
            GuardedKey::Backspace,
        ),
        (
            &[
                KeyEvent(KeyCode::Delete, Modifiers::NONE),
                KeyEvent::ctrl('D'),
            ],
            GuardedKey::Delete,
        ),
        (
            &[
                KeyEvent(KeyCode::Left, Modifiers::NONE),
                KeyEvent::ctrl('B'),
            ],
            GuardedKey::Left,
        ),
        (
            &[
                KeyEvent(KeyCode::Right, Modifiers::NONE),
                KeyEvent::ctrl('F'),
            ],
            GuardedKey::Right,
        ),
        (
            &[
                KeyEvent(KeyCode::Home, Modifiers::NONE),
                KeyEvent::ctrl('A'),
            ],
            GuardedKey::Home,
        ),
        (&[KeyEvent::ctrl('U')], GuardedKey::KillToStart),
        (&[KeyEvent::ctrl('K')], GuardedKey::KillToEnd),
        (
            &[KeyEvent::ctrl('W')],
            GuardedKey::KillWordBefore(Word::Big),
        ),
        (
            &[KeyEvent(KeyCode::Backspace, Modifiers::ALT)],
            GuardedKey::KillWordBefore(Word::Emacs),
        ),
        (
            &[KeyEvent::alt('d'), KeyEvent::alt('D')],
            GuardedKey::KillWordAfter,
        ),
    ];
    for (keys, guarded) in guarded_keys {
        for key in keys {
            editor.bind_sequence(
                *key,
                EventHandler::Conditional(Box::new(PromptGuard(guarded))),
            );
        }
    }
    let interrupted_empty_line = Arc::new(AtomicBool::new(false));
    editor.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(InterruptHandler {
            on_empty_line: interrupted_empty_line.clone(),
        })),
    );
    let mut history = history_path(history);
    // History is a convenience: a directory we cannot create costs it, not the session.
    if let Some(dir) = history.as_deref().and_then(std::path::Path::parent)
        && let Err(err) = std::fs::create_dir_all(dir)
    {
        eprintln!("warning: no history ({}: {err})", dir.display());
        history = None;
    }
    if let Some(path) = &history {
        // A missing history file is normal on first use.
        let _ = editor.load_history(path);
    }
    install_interrupt_handler(shell.session.cancel_handle());

    let graph = shell.session.graph();
    let what = match &shell.remote {
        Some(client) => format!("connected to {} ({})", client.address(), client.server()),
        None => format!(
            "{} nodes, {} relationships",
            graph.node_count(),
            graph.rel_count()
        ),
    };
    eprintln!("kg — {what}. End statements with `;`. :help for help, Ctrl-D to leave.");
    let mut warned_unsaved = false;
    let mut warned_open = false;
    let mut completing_version = shell.graph_version;
    loop {
        if let Some(helper) = editor.helper_mut() {
            if completing_version != shell.graph_version {
                helper.schema = shell.schema().clone();
                completing_version = shell.graph_version;
            }
            helper.params = shell.session.params().keys().cloned().collect();
        }
        let prompt = if shell.session.in_transaction() {
            TRANSACTION_PROMPT
        } else {
            PROMPT
        };
        let flow = match editor.readline(prompt) {
            Ok(line) => {
                let statement = strip_continuations(&line);
                let _ = editor.add_history_entry(with_continuations(&statement));
                if let Some(path) = &history {
                    // Saved after every entry so a killed session keeps its history.
                    let _ = editor.save_history(path);
                }
                run_input(shell, &statement)?
            }
            Err(ReadlineError::Interrupted) => {
                // The first Ctrl-C clears the input; one on an empty line says how to leave.
                if interrupted_empty_line.swap(false, Ordering::SeqCst) {
                    eprintln!("(to leave, press Ctrl-D or type :quit)");
                }
                Flow::Continue
            }
            Err(ReadlineError::Eof) => Flow::Quit,
            Err(err) => return Err(err.into()),
        };
        if flow == Flow::Quit {
            if shell.session.in_transaction() && !warned_open {
                warned_open = true;
                eprintln!(
                    "A transaction is open (:commit keeps it, :rollback undoes it). Leave again to roll it back."
                );
                continue;
            }
            // With --db every commit is on disk already.
            if shell.dirty && !shell.session.is_durable() && !warned_unsaved {
                warned_unsaved = true;
                eprintln!(
                    "The graph has unsaved changes (:save PATH keeps them). Leave again to discard them."
                );
                continue;
            }
            break;
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}

/// Runs what the user entered: statements and meta-command lines, errors shown, never fatal.
fn run_input(shell: &mut Shell, text: &str) -> anyhow::Result<Flow> {
    let source = Source {
        name: String::new(),
        text: text.to_string(),
    };
    for item in script::split(text) {
        let quit = shell.run_item(&source, &item)? == Flow::Quit;
        if quit {
            return Ok(Flow::Quit);
        }
        if let ScriptItem::Statement { .. } = item {
            shell.failures.clear();
        }
    }
    shell.failures.clear();
    Ok(Flow::Continue)
}

/// `--history PATH|off`, else `$XDG_DATA_HOME/kg/history` or `~/.local/share/kg/history`.
fn history_path(flag: Option<&str>) -> Option<PathBuf> {
    match flag {
        Some("off") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => {
            let data = std::env::var_os("XDG_DATA_HOME")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share"))
                })?;
            Some(data.join("kg").join("history"))
        }
    }
}

/// The running query's cancel flag, for the SIGINT handler.
static CANCEL: OnceLock<Arc<AtomicBool>> = OnceLock::new();

extern "C" fn on_interrupt(_signal: libc::c_int) {
    // Only an atomic store: safe in a signal handler.
    if let Some(flag) = CANCEL.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Ctrl-C while a query runs sets the session's cancel flag instead of killing kg.
/// rustyline reads keys in raw mode, so while editing Ctrl-C reaches it as a key, and it
/// restores this handler when it returns.
fn install_interrupt_handler(flag: Arc<AtomicBool>) {
    if CANCEL.set(flag).is_err() {
        return;
    }
    let handler = on_interrupt as extern "C" fn(libc::c_int);
    // SAFETY: the handler only performs an atomic store on a flag that lives forever.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
    }
}
