;;; run_action.el --- drive one organize-backend code action in Emacs 28 + eglot 1.9, batch mode  -*- lexical-binding: t -*-

;; What a user does: visit a module, M-x eglot (the server comes from `eglot-server-programs'),
;; then `eglot-code-actions' with an action kind; with one action of that kind eglot runs it
;; without asking, through its own execute path (workspace/executeCommand).  Then save, quit.
;;
;; Read from the environment (set by tests/e2e/test_emacs.py):
;;   ORGANIZE_SERVER  JSON list: the server command
;;   ORGANIZE_ROOT    the workspace folder
;;   ORGANIZE_FILE    the module to visit, relative to the root
;;   ORGANIZE_KIND    the code action kind to ask for
;;   ORGANIZE_REPORT  a JSON file where this script records what it saw
;; Exits 0 when the action was carried out, 1 (with the reason in the report) otherwise.

(require 'cl-lib)
(require 'json)

;; Debian's elpa-eglot lives outside Emacs's own load-path; -Q does not add site-lisp/elpa.
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (when (file-directory-p dir)
    (push dir load-path)))
(require 'eglot)

(defconst organize-timeout 60 "Seconds to wait for the server at each step.")
(defvar organize-report (list :commands [] :messages []))

(defun organize-note (key value)
  (setq organize-report (plist-put organize-report key value)))

(defun organize-append (key value)
  "Add VALUE to the vector under KEY (a vector, so that JSON keeps it a list)."
  (organize-note key (vconcat (plist-get organize-report key) (vector value))))

(defun organize-quit (code)
  (with-temp-file (getenv "ORGANIZE_REPORT")
    (insert (json-encode organize-report)))
  (kill-emacs code))

(defun organize-fail (format-string &rest args)
  (organize-note :error (apply #'format format-string args))
  (organize-quit 1))

;; Record every command eglot executes and what the server answered, without changing it.
(advice-add 'eglot-execute-command :around
            (lambda (run server command arguments)
              (let ((result (funcall run server command arguments)))
                (organize-append :commands (list :command (format "%s" command) :result result))
                result)))

;; The server's window/showMessage lines, to explain a failure.
(advice-add 'eglot--message :before
            (lambda (format-string &rest args)
              (organize-append :messages (apply #'format format-string args))))

(defun organize-wait-for-server ()
  "Wait until eglot manages the current buffer (the handshake and didOpen are done)."
  (let ((deadline (+ (float-time) organize-timeout)))
    (while (not (and (eglot-current-server) eglot--managed-mode))
      (when (> (float-time) deadline)
        (organize-fail "eglot did not connect within %s s" organize-timeout))
      (accept-process-output nil 0.1))))

(defun organize-connect (root file)
  (let ((default-directory (file-name-as-directory root))
        (command (append (json-read-from-string (getenv "ORGANIZE_SERVER")) nil)))
    (setq eglot-server-programs `((python-mode . ,command)))
    ;; The workspace is the fixture folder, not whatever repository the tmp folder sits in.
    (setq project-find-functions (list (lambda (_dir) (cons 'transient default-directory))))
    (find-file (expand-file-name file root))
    (setq eglot-sync-connect t eglot-connect-timeout organize-timeout)
    (call-interactively #'eglot)
    (organize-wait-for-server)))

(defun organize-run-action (kind)
  (let* ((listed (eglot-code-actions (point-min) (point-min) kind)))
    (organize-note :titles (vconcat (mapcar (lambda (action) (plist-get action :title)) listed)))
    (unless listed
      (organize-fail "no %s code action" kind))
    ;; INTERACTIVE = t: eglot's own choose-and-execute path, as for M-x eglot-code-actions.
    (eglot-code-actions (point-min) (point-min) kind t)))

(condition-case problem
    (progn
      (organize-connect (getenv "ORGANIZE_ROOT") (getenv "ORGANIZE_FILE"))
      (organize-run-action (getenv "ORGANIZE_KIND"))
      (save-some-buffers t)
      (eglot-shutdown (eglot-current-server))
      (organize-quit 0))
  (error (organize-fail "%s" (error-message-string problem))))

;;; run_action.el ends here
